/*
 * table_impl.h - private to table.c and table_cells.c: the printers (one per kind with
 * columns of its own, as kube-apiserver's pkg/printers/internalversion registers them)
 * and the cells of one row.
 */
#ifndef GKEID_TABLE_IMPL_H
#define GKEID_TABLE_IMPL_H

#include <jansson.h>
#include <time.h>

enum printer {
	P_DEFAULT,
	P_POD,
	P_NS,
	P_SA,
	P_CM,
	P_SECRET,
	P_EVENT,
	P_NODE,
	P_NETPOL,
	P_ROLE,
	P_BINDING,
	P_SVC,
	P_DEPLOY,
	P_RS,
	P_STS,
	P_DS,
	P_JOB,
	P_CJ,
	P_HPA,
	P_ING
};

/* The cells of object o's row for printer p (ages against now); row may gain fields
 * (a pod's conditions). New reference or NULL. */
json_t *table_cells(enum printer p, const json_t *o, json_t *row, time_t now);

#endif
