/* A minimal HTTP/1.0 file server on 127.0.0.1 for tests of the symbol-server
 * client: GET of files under a root directory, 404 otherwise, one request
 * per connection, served by a thread until stopped; or a custom handler
 * per connection. */
#ifndef KDX_TESTS_HTTP_SERVER_H
#define KDX_TESTS_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kdx_http_server kdx_http_server;

/* A server whose every connection runs handler on its own thread with the
 * request's path; the handler writes the whole response to fd. Used by the
 * hostile server (tests/hostile_server.c). */
typedef void (*kdx_http_handler)(kdx_http_server *s, int fd, const char *path, void *ud);
kdx_http_server *kdx_http_server_start_handler(kdx_http_handler handler, void *ud);
/* True once kdx_http_server_stop began: handlers must return soon. */
bool kdx_http_server_stopping(const kdx_http_server *s);
/* Sends all of buf; false when the client left or the server is stopping. */
bool kdx_http_send_all(const kdx_http_server *s, int fd, const void *buf, size_t len);

/* Starts serving root on an ephemeral loopback port; NULL on failure. */
kdx_http_server *kdx_http_server_start(const char *root);
int kdx_http_server_port(const kdx_http_server *s);
/* Number of requests answered so far. */
int kdx_http_server_requests(const kdx_http_server *s);
/* Requests that came as a proxy would get them (absolute URLs). */
int kdx_http_server_proxied(const kdx_http_server *s);
/* Stops serving (the port refuses connections afterwards) and frees s. */
void kdx_http_server_stop(kdx_http_server *s);

#endif
