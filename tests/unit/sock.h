/*
 * sock.h - raw loopback clients for unit tests that run a server on their own event
 * loop: connect, send bytes as they are (malformed ones too), and poll, while pumping
 * the loop, for what the server did (answered, closed, nothing yet). Include once.
 */
#ifndef GKEID_TEST_SOCK_H
#define GKEID_TEST_SOCK_H

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline int64_t sock_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs base's loop for about ms. */
static inline void sock_pump(struct event_base *base, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Pumps base in 5 ms steps until cond holds or ms pass. */
#define SOCK_WAIT(base, cond, ms)                                                                  \
	do {                                                                                       \
		int64_t t0_ = sock_now_ms();                                                       \
		while (!(cond) && sock_now_ms() - t0_ < (ms))                                      \
			sock_pump((base), 5);                                                      \
	} while (0)

/* A connected, then non-blocking, socket to 127.0.0.1:port; -1 on failure. */
static inline int sock_client(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static inline int sock_say(int fd, const char *s)
{
	return send(fd, s, strlen(s), MSG_NOSIGNAL) == (ssize_t)strlen(s) ? 0 : -1;
}

/* What the server did to fd, without reading: 0 nothing yet, 1 bytes wait, -1 closed. */
static inline int sock_seen(int fd)
{
	char b[512];
	ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT | MSG_PEEK);
	if (r > 0)
		return 1;
	if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		return -1;
	return 0;
}

/* Reads what is there into buf (NUL-terminated, appended at *len). 1 when the server
 * has closed the connection, else 0. */
static inline int sock_read(int fd, char *buf, size_t cap, size_t *len)
{
	for (;;) {
		char b[4096];
		ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r > 0) {
			size_t n = (size_t)r;
			if (*len + n >= cap)
				n = cap - *len - 1;
			memcpy(buf + *len, b, n);
			*len += n;
			buf[*len] = '\0';
			continue;
		}
		return r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
	}
}

/* 1 once the server has closed fd (what it sent is read and dropped). */
static inline int sock_closed(int fd)
{
	char b[4096];
	size_t len = 0;
	return sock_read(fd, b, sizeof(b), &len);
}

#endif
