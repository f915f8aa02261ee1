/*
 * test_addr.c - how the metadata server names its caller (node/mdfast.c's md_addr_*,
 * which metadata.c's START state uses): by an address, never a header. In local mode
 * the connection's destination (each pod owns a 127.x.y.z), in node mode its source;
 * an IPv4-mapped IPv6 address reads as the IPv4 one; which addresses are loopback (the
 * only ones local mode answers) and which are the node's own (never a pod's). Real
 * sockets on loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "node/mdfast.h"
#include "t.h"

static void test_loopback_and_self(void)
{
	CHECK(md_addr_loopback("127.0.0.1"));
	CHECK(md_addr_loopback("127.255.3.9"));
	CHECK(md_addr_loopback("::1"));
	CHECK(!md_addr_loopback("128.0.0.1"));
	CHECK(!md_addr_loopback("10.0.0.1"));
	CHECK(!md_addr_loopback("169.254.169.254"));
	CHECK(!md_addr_loopback("::2"));
	CHECK(!md_addr_loopback("127.0.0.1 "));
	CHECK(!md_addr_loopback(""));
	/* the node itself: 127.0.0.1 and ::1 only; any other 127/8 address is a pod's */
	CHECK(md_addr_self("127.0.0.1"));
	CHECK(md_addr_self("::1"));
	CHECK(!md_addr_self("127.0.0.2"));
	CHECK(!md_addr_self("127.10.0.1"));
	CHECK(!md_addr_self("10.0.0.1"));
}

/* A listener on addr (IPv4) with an ephemeral port; its port in *port. */
static int listen4(const char *addr, int *port)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, addr, &a.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &sl) != 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* A client from src to dst:port; the server's end of it, accepted from l, in *srv. */
static int connect4(int l, const char *src, const char *dst, int port, int *srv)
{
	struct sockaddr_in s, d;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&s, 0, sizeof(s));
	memset(&d, 0, sizeof(d));
	s.sin_family = d.sin_family = AF_INET;
	inet_pton(AF_INET, src, &s.sin_addr);
	inet_pton(AF_INET, dst, &d.sin_addr);
	d.sin_port = htons((uint16_t)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&s, sizeof(s)) != 0 ||
	    connect(fd, (struct sockaddr *)&d, sizeof(d)) != 0)
		return -1;
	*srv = accept(l, NULL, NULL);
	return fd;
}

static void test_of_fd(void)
{
	int port, srv = -1;
	char out[64];
	/* local mode's wildcard listener: the pod is the address it connected to */
	int l = listen4("0.0.0.0", &port);
	CHECK(l >= 0);
	int c = connect4(l, "127.3.4.5", "127.9.8.7", port, &srv);
	CHECK(c >= 0 && srv >= 0);
	CHECK_EQ_INT(md_addr_of_fd(srv, 1, out, sizeof(out)), 0);
	CHECK_STR(out, "127.9.8.7");
	/* node mode: the pod is the source */
	CHECK_EQ_INT(md_addr_of_fd(srv, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "127.3.4.5");
	/* a buffer too small for the address is an error, not a cut address */
	CHECK_EQ_INT(md_addr_of_fd(srv, 0, out, 9), -EINVAL);
	CHECK_EQ_INT(md_addr_of_fd(srv, 0, out, 10), 0);
	CHECK_STR(out, "127.3.4.5");
	close(c);
	close(srv);
	/* no descriptor; a socket with no peer */
	CHECK_EQ_INT(md_addr_of_fd(-1, 0, out, sizeof(out)), -EINVAL);
	CHECK_EQ_INT(md_addr_of_fd(l, 0, out, sizeof(out)), -ENOTCONN);
	close(l);
}

static void test_v4_mapped(void)
{
	int l = socket(AF_INET6, SOCK_STREAM, 0), off = 0;
	struct sockaddr_in6 a;
	socklen_t sl = sizeof(a);
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_any;
	if (l < 0 || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) != 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 4) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &sl) != 0) {
		printf("# no dual-stack IPv6 here: skipped\n");
		if (l >= 0)
			close(l);
		return;
	}
	int srv = -1, c = connect4(l, "127.3.4.6", "127.9.8.6", ntohs(a.sin6_port), &srv);
	char out[64];
	CHECK(c >= 0 && srv >= 0);
	/* seen as ::ffff:127.9.8.6 by the socket; named as the IPv4 address */
	CHECK_EQ_INT(md_addr_of_fd(srv, 1, out, sizeof(out)), 0);
	CHECK_STR(out, "127.9.8.6");
	CHECK_EQ_INT(md_addr_of_fd(srv, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "127.3.4.6");
	close(c);
	close(srv);
	close(l);
}

int main(void)
{
	RUN(test_loopback_and_self);
	RUN(test_of_fd);
	RUN(test_v4_mapped);
	return t_done();
}
