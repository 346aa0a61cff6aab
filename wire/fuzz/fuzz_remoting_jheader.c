/*
 * fuzz_remoting_jheader.c - differential fuzzing of the JSON header
 * decoders: the input is header bytes (what follows hdrWord); the
 * streaming decoder (remoting_jheader.c) and the jansson tree decoder it
 * replaced must both refuse it, or both decode it to the same fields
 * (jheader_diff.h).  Any disagreement aborts.  Seeds: Java client headers
 * from wire/testdata and the remoting frame corpus, hand-written edge cases
 * (escapes, surrogates, duplicates, numbers) and garbage.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jheader_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int rn, rt, d = jhd_compare(data, size, &rn, &rt);

    if (d) {
        fprintf(stderr, "jheader: decoders disagree (%d): new %d, tree %d\n",
                d, rn, rt);
        abort();
    }
    return 0;
}

#include "fuzz_replay.h"
