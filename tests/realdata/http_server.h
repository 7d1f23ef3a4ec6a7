/* A minimal HTTP/1.0 file server on 127.0.0.1 for tests of the symbol-server
 * client: GET of files under a root directory, 404 otherwise, one request
 * per connection, served by a thread until stopped. */
#ifndef KDX_TESTS_HTTP_SERVER_H
#define KDX_TESTS_HTTP_SERVER_H

typedef struct kdx_http_server kdx_http_server;

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
