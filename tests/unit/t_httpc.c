/* t_httpc.c: outgoing requests reuse their connection (one handshake, not one per call), and
 * a server that closes after each answer, or a connection that died while kept, costs nothing
 * but a new connection. A small HTTP/1.1 server on a loopback port in a thread of this test. */
#include "tap.h"
#include "camp.h"
#include "httpc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct server {
	int fd, port;
	int close_after;       /* answer with Connection: close and close */
	int drop_after;        /* answer as if the connection were kept, then close it anyway */
	int accepted, answered;
	volatile int cfd;      /* the connection being served, -1 none */
};

/* Reads one request head (the test sends no bodies); 0 when the client went away. */
static int read_head(int c)
{
	char buf[4096];
	size_t n = 0;
	while (n < sizeof(buf) - 1) {
		ssize_t r = read(c, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			return 0;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return 1;
	}
	return 0;
}

static void *serve(void *arg)
{
	struct server *s = arg;
	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			return NULL;
		s->accepted++;
		s->cfd = c;
		while (read_head(c)) {
			const char *a = s->close_after
			                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
			                : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
			if (write(c, a, strlen(a)) < 0)
				break;
			s->answered++;
			if (s->close_after || s->drop_after)
				break;
		}
		s->cfd = -1;
		close(c);
	}
}

static int get(struct server *s, const char *path)
{
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
	struct httpc_request rq = { .method = "GET", .url = url };
	struct httpc_response rs = HTTPC_RESPONSE_INIT;
	int rc = httpc_do(&rq, &rs);
	int ok = rc == CAMP_OK && rs.status == 200 && rs.body.len == 2 && !memcmp(rs.body.s, "ok", 2);
	httpc_response_free(&rs);
	return ok;
}

static void start(struct server *s, pthread_t *th)
{
	s->cfd = -1;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 8) != 0 ||
	    getsockname(s->fd, (struct sockaddr *)&a, &len) != 0) {
		perror("server");
		_exit(1);
	}
	s->port = ntohs(a.sin_port);
	pthread_create(th, NULL, serve, s);
}

static void stop(struct server *s, pthread_t th)
{
	shutdown(s->fd, SHUT_RDWR);       /* wakes accept() */
	int c = s->cfd;
	if (c >= 0)
		shutdown(c, SHUT_RDWR);       /* wakes the read of a kept connection */
	pthread_join(th, NULL);
	close(s->fd);
}

int main(void)
{
	httpc_global_init();
	pthread_t th;

	struct server keep = { 0 };
	start(&keep, &th);
	int all = 1;
	for (int i = 0; i < 5; i++)
		all &= get(&keep, "/a");
	ok(all, "five requests answered");
	is_int(keep.accepted, 1, "five requests to one server: one connection");
	stop(&keep, th);

	struct server closing = { .close_after = 1 };
	start(&closing, &th);
	all = 1;
	for (int i = 0; i < 3; i++)
		all &= get(&closing, "/b");
	ok(all, "a server that closes after each answer is still answered every time");
	is_int(closing.accepted, 3, "one connection per answer when the server closes");
	stop(&closing, th);

	/* a kept connection the server closed meanwhile (its idle timeout): the next request
	 * notices and connects again, nobody sees an error */
	struct server dropping = { .drop_after = 1 };
	start(&dropping, &th);
	all = 1;
	for (int i = 0; i < 3; i++) {
		all &= get(&dropping, "/c");
		usleep(20000);                    /* the server's close arrives before the next call */
	}
	ok(all, "every request answered although the server closes the kept connection");
	is_int(dropping.accepted, 3, "a closed kept connection is not reused");
	stop(&dropping, th);

	httpc_global_cleanup();
	return done_testing();
}
