/*
 * kafka_table.h - private: row macros for the schema tables in
 * kafka_msgs_groups.c and kafka_msgs_admin.c (same rows as kafka_msgs.c).
 * Define S as the C struct a table describes before using them.
 *
 * Row: name, type, first version, last version, first nullable version,
 * tag (-1 = not tagged), offset in the C struct, sub-schema, default.
 */
#ifndef FERRY_KAFKA_TABLE_H
#define FERRY_KAFKA_TABLE_H

#include <stddef.h>

#include "kafka.h"

#define V  KAFKA_VMAX
#define NN KAFKA_VNEVER

/* general row */
#define FX(st, nm, ty, fr, un, nf, tg, sub, df)                                \
    {                                                                          \
#nm, ty, fr, un, nf, tg, (uint32_t)offsetof(st, nm), sub, df           \
    }
/* plain field from version fr */
#define F(st, nm, ty, fr) FX(st, nm, ty, fr, V, NN, -1, NULL, 0)
/* with default */
#define FD(st, nm, ty, fr, df) FX(st, nm, ty, fr, V, NN, -1, NULL, df)
/* nullable from nf; df 1 = null default */
#define FN(st, nm, ty, fr, nf, df) FX(st, nm, ty, fr, V, nf, -1, NULL, df)
/* field in versions fr..un only */
#define FR(st, nm, ty, fr, un, df) FX(st, nm, ty, fr, un, NN, -1, NULL, df)
/* array of structs */
#define FA(st, nm, fr, nf, sub, df) FX(st, nm, KT_ARRAY, fr, V, nf, -1, sub, df)

#define NF(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))
#define NESTED(var, nm, st, fields)                                            \
    static const kafka_schema var = {                                          \
        nm, -1, 0, 0, NN, fields, NF(fields), (uint32_t)sizeof(st)}
#define TOP(var, nm, key, mn, mx, fl, st, fields)                              \
    const kafka_schema var = {nm, key,    mn,         mx,                      \
                              fl, fields, NF(fields), (uint32_t)sizeof(st)}

#endif /* FERRY_KAFKA_TABLE_H */
