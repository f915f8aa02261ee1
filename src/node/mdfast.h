/*
 * mdfast.h - the metadata listener's fast path: a reader of evhttp's socket input that
 * answers a pod's cached access token in the loop turn that read its request, with one
 * send() and no allocation, and hands every other byte to evhttp and metadata.c
 * unchanged. mdfast.c's opening comment says why it is built this way, with figures.
 */
#ifndef GKEID_MDFAST_H
#define GKEID_MDFAST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>

struct node;
struct event_base;
struct evhttp_connection;
struct mdfast;

/* What the fast path keeps of one connection, in metadata.c's record of it (struct
 * mconn, freed by the connection's close callback). */
struct md_fconn {
	int passed;   /* bytes went to evhttp; no reply to them yet */
	int flushing; /* a fast answer's tail is being written (evhttp's writecb kept) */
	bufferevent_data_cb evhttp_write;
};

/* The fast path of n's metadata listeners, under a guard (core/httpconn.h), to which it
 * reports each answer (http_conn_answered), so the guard's deadlines and budget treat a
 * fast answer as any other. NULL on out-of-memory. One per process (the node). */
struct mdfast *md_fast_new(struct node *n);
void md_fast_free(struct mdfast *f);
/* The guard's bufferevent maker (http_guard_new's bevcb; arg is the mdfast): a socket
 * bufferevent, as the guard makes by default, whose input the fast path reads first. */
struct bufferevent *md_fast_bevcb(struct event_base *base, void *arg);
/* Fast-path answers so far (for /metrics and tests). */
uint64_t md_fast_answered(const struct mdfast *f);

/* metadata.c: evcon's record (created on first use, with its caller's address, and
 * freed when the connection closes): 0 with *fc and *addr; -errno when the connection's
 * address cannot be read. */
int md_http_conn(struct node *n, struct evhttp_connection *evcon, struct md_fconn **fc,
		 const char **addr);

/* The address that names the caller of socket fd: its local (destination) address in
 * local mode, its peer (source) address in node mode; as text. 0 or -errno. */
int md_addr_of_fd(int fd, int local, char *out, size_t len);
/* An IPv4 loopback address (127/8) or ::1. */
int md_addr_loopback(const char *addr);
/* The node's own address (127.0.0.1 or ::1), not a pod's. */
int md_addr_self(const char *addr);

#endif
