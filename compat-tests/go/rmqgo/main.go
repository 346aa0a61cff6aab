// rmqgo: the Go RocketMQ client (apache/rocketmq-client-go v2) against a
// Ferry broker through its name server.  Usage: rmqgo NSADDR TOPIC N
//
// Sends N messages each way (sync, async, oneway, batch), alternating tags
// TagA/TagB, with keys and a user property; then a push consumer (new
// group, from the first offset) subscribed to "TagA" must receive every
// TagA message exactly once, with its keys and property, and no TagB one.
// Exit status 0 only when all of that holds.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", a...)
	os.Exit(1)
}

func message(topic, mode string, i int) *primitive.Message {
	body := fmt.Sprintf("%s-%d", mode, i)
	m := primitive.NewMessage(topic, []byte(body))
	if i%2 == 0 {
		m.WithTag("TagA")
	} else {
		m.WithTag("TagB")
	}
	m.WithKeys([]string{"key-" + body})
	m.WithProperty("origin", "go")
	return m
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: rmqgo NSADDR TOPIC N")
	}
	ns, topic := os.Args[1], os.Args[2]
	n, err := strconv.Atoi(os.Args[3])
	if err != nil || n <= 0 {
		fail("bad N %q", os.Args[3])
	}
	rlog.SetLogLevel("warn")
	resolver := primitive.NewPassthroughResolver([]string{ns})

	p, err := rocketmq.NewProducer(producer.WithNsResolver(resolver),
		producer.WithGroupName("go_producer"), producer.WithRetry(2),
		producer.WithSendMsgTimeout(10*time.Second))
	if err != nil {
		fail("new producer: %v", err)
	}
	if err := p.Start(); err != nil {
		fail("producer start: %v", err)
	}
	ctx := context.Background()
	want := map[string]bool{} // TagA bodies expected by the consumer
	note := func(mode string, i int) {
		if i%2 == 0 {
			want[fmt.Sprintf("%s-%d", mode, i)] = true
		}
	}

	// sync: every result must be SEND_OK with a queue and both ids
	lastOffset := map[int]int64{}
	for i := 0; i < n; i++ {
		r, err := p.SendSync(ctx, message(topic, "sync", i))
		if err != nil || r.Status != primitive.SendOK {
			fail("sync send %d: %v %v", i, err, r)
		}
		if r.MsgID == "" || r.OffsetMsgID == "" || r.MessageQueue == nil {
			fail("sync send %d: incomplete result %v", i, r)
		}
		q := r.MessageQueue.QueueId
		if prev, ok := lastOffset[q]; ok && r.QueueOffset <= prev {
			fail("queue %d offsets not increasing: %d after %d", q,
				r.QueueOffset, prev)
		}
		lastOffset[q] = r.QueueOffset
		note("sync", i)
	}

	// async: every callback reports SEND_OK
	var wg sync.WaitGroup
	var mu sync.Mutex
	asyncFailed := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		err := p.SendAsync(ctx, func(_ context.Context,
			r *primitive.SendResult, e error) {
			if e != nil || r.Status != primitive.SendOK {
				mu.Lock()
				asyncFailed++
				mu.Unlock()
			}
			wg.Done()
		}, message(topic, "async", i))
		if err != nil {
			fail("async send %d: %v", i, err)
		}
		note("async", i)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		fail("async callbacks did not all arrive")
	}
	if asyncFailed != 0 {
		fail("%d async sends failed", asyncFailed)
	}

	for i := 0; i < n; i++ {
		if err := p.SendOneWay(ctx, message(topic, "oneway", i)); err != nil {
			fail("oneway send %d: %v", i, err)
		}
		note("oneway", i)
	}

	// batch: one SEND_BATCH_MESSAGE of all n
	batch := make([]*primitive.Message, 0, n)
	for i := 0; i < n; i++ {
		batch = append(batch, message(topic, "batch", i))
		note("batch", i)
	}
	r, err := p.SendSync(ctx, batch...)
	if err != nil || r.Status != primitive.SendOK {
		fail("batch send: %v %v", err, r)
	}
	if got := len(strings.Split(r.OffsetMsgID, ",")); got != n {
		fail("batch result has %d offset ids, want %d", got, n)
	}
	p.Shutdown()
	fmt.Printf("sent %d messages (sync, async, oneway, batch)\n", 4*n)

	c, err := rocketmq.NewPushConsumer(consumer.WithNsResolver(resolver),
		consumer.WithGroupName("go_consumer"),
		consumer.WithConsumerModel(consumer.Clustering),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset))
	if err != nil {
		fail("new consumer: %v", err)
	}
	got := map[string]int{}
	bad := []string{}
	all := make(chan struct{})
	err = c.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG,
		Expression: "TagA"}, func(_ context.Context,
		msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range msgs {
			b := string(m.Body)
			if b == "seed" {
				continue
			}
			if m.GetTags() != "TagA" || !want[b] {
				bad = append(bad, b+" tag="+m.GetTags())
			}
			if m.GetKeys() != "key-"+b || m.GetProperty("origin") != "go" {
				bad = append(bad, b+" lost keys/property")
			}
			got[b]++
			if len(got) == len(want) {
				select {
				case <-all:
				default:
					close(all)
				}
			}
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		fail("subscribe: %v", err)
	}
	if err := c.Start(); err != nil {
		fail("consumer start: %v", err)
	}
	select {
	case <-all:
	case <-time.After(60 * time.Second):
	}
	time.Sleep(2 * time.Second) // duplicates would show up here
	c.Shutdown()
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		fail("unexpected messages: %v", bad)
	}
	for b := range want {
		if got[b] != 1 {
			fail("%s received %d times", b, got[b])
		}
	}
	fmt.Printf("consumer got each of the %d TagA messages exactly once\n",
		len(want))
}
