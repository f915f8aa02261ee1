/*
 * table.h - server-side printing: meta.k8s.io/v1 Table objects with the columns and
 * cells kube-apiserver's printers give each kind (pods NAME READY STATUS RESTARTS AGE
 * ..., the default NAME CREATED AT otherwise). kubectl asks for them with
 * "Accept: application/json;as=Table;v=v1;g=meta.k8s.io".
 */
#ifndef GKEID_TABLE_H
#define GKEID_TABLE_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "kube/kube.h"

enum table_include { TABLE_INCLUDE_METADATA = 0, TABLE_INCLUDE_OBJECT, TABLE_INCLUDE_NONE };

/* 1 when an Accept header asks for a meta.k8s.io/v1 Table (v1beta1 also accepted:
 * *v1beta1 set to 1 then). */
int table_wanted(const char *accept, int *v1beta1);
/* The includeObject query parameter (NULL = Metadata). */
enum table_include table_include_parse(const char *s);

/* A Table for the objects in items (an array; borrowed). headers 0 omits the
 * columnDefinitions (watch events after the first). rv and cont (may be NULL) go in
 * metadata. now is the time ages are computed against. New reference or NULL. */
json_t *table_build(const struct kube_resource *res, const json_t *items,
		    enum table_include inc, int headers, const char *rv, const char *cont,
		    int64_t remaining, time_t now, int v1beta1);

/* Go's duration.HumanDuration, as kubectl prints ages ("5s", "3m20s", "2d4h"). */
void table_human_duration(int64_t seconds, char *out, size_t len);
/* Parses an RFC 3339 timestamp ("2024-05-01T10:00:00Z", fractions and offsets
 * allowed) into seconds since the epoch. 0 or -EINVAL. */
int table_parse_time(const char *s, time_t *out);

#endif
