/*
 * test_wire_arena.c - the bump arena: zeroed aligned blocks, the hard cap,
 * reset and oversize allocations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "wire_arena.h"

static void test_blocks_are_zeroed_and_aligned(void **state)
{
    wire_arena a;
    int i;
    (void)state;
    wire_arena_init(&a, 256, 0);
    for (i = 1; i < 200; i++) {
        uint8_t *p = wire_arena_alloc(&a, (size_t)i);
        int k;
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % WIRE_ARENA_ALIGN, 0);
        for (k = 0; k < i; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xab, (size_t)i);
    }
    wire_arena_reset(&a);
    assert_int_equal(a.used, 0);
    {
        uint8_t *p = wire_arena_alloc(&a, 100);
        int k;
        for (k = 0; k < 100; k++)
            assert_int_equal(p[k], 0);
    }
    wire_arena_release(&a);
    assert_null(a.head);
}

static void test_cap_refuses_growth(void **state)
{
    wire_arena a;
    int n = 0;
    (void)state;
    wire_arena_init(&a, 1024, 4096);
    while (wire_arena_alloc(&a, 100))
        n++;
    assert_true(n * 112 <= 4096);
    assert_true(n >= 30);
    assert_true(a.used <= 4096);
    assert_null(wire_arena_alloc(&a, 5000));
    assert_null(wire_arena_calloc(&a, SIZE_MAX / 2, 4));
    wire_arena_reset(&a);
    assert_non_null(wire_arena_alloc(&a, 100));
    wire_arena_release(&a);
}

static void test_oversize_blocks_and_zero_struct(void **state)
{
    wire_arena a;
    uint8_t *small, *big, *small2;
    (void)state;
    memset(&a, 0, sizeof(a)); /* all-zero arena is valid */
    small = wire_arena_alloc(&a, 10);
    big = wire_arena_alloc(&a, 100000);
    small2 = wire_arena_alloc(&a, 10);
    assert_non_null(small);
    assert_non_null(big);
    assert_non_null(small2);
    /* the small block after the big one reuses the first chunk */
    assert_true(small2 == small + WIRE_ARENA_ALIGN);
    assert_non_null(wire_arena_alloc(&a, 0));
    wire_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_are_zeroed_and_aligned),
        cmocka_unit_test(test_cap_refuses_growth),
        cmocka_unit_test(test_oversize_blocks_and_zero_struct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
