/*
 * @anyvip/tcp-auth native part: the few socket calls Node does not offer.
 *
 * Deliberately thin. Every struct (sockaddr, struct tcp_md5sig) is encoded in
 * TypeScript, where it is unit-tested; this file only creates sockets and passes
 * bytes to setsockopt(2). Errors come back as JS Errors with `code` set to the
 * errno name (EINVAL, ENOPROTOOPT, ...) and `syscall` set, as Node's own are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>

#define CHECK(env, call)                                                                           \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error((env), "ANYVIP_TCP_AUTH_NAPI", "Node-API call failed: " #call);             \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static const char *errno_name(int e) {
  switch (e) {
  case EINVAL: return "EINVAL";
  case ENOPROTOOPT: return "ENOPROTOOPT";
  case EBADF: return "EBADF";
  case ENOTSOCK: return "ENOTSOCK";
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case ENOMEM: return "ENOMEM";
  case ENOBUFS: return "ENOBUFS";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case EFAULT: return "EFAULT";
  case ENOENT: return "ENOENT";
  default: return "EUNKNOWN";
  }
}

static napi_value throw_errno(napi_env env, const char *syscall, int e) {
  char message[160];
  snprintf(message, sizeof message, "%s failed: %s (%s)", syscall, strerror(e), errno_name(e));
  napi_value msg, err, code, sys, num;
  if (napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok) return NULL;
  if (napi_create_error(env, NULL, msg, &err) != napi_ok) return NULL;
  napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_create_int32(env, -e, &num);
  napi_set_named_property(env, err, "code", code);
  napi_set_named_property(env, err, "syscall", sys);
  napi_set_named_property(env, err, "errno", num);
  napi_throw(env, err);
  return NULL;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/* socket(family: 4 | 6): number — an unconnected, close-on-exec TCP socket. */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t family = 0;
  if (argc < 1 || !get_int(env, argv[0], &family) || (family != 4 && family != 6)) {
    napi_throw_type_error(env, "ANYVIP_TCP_AUTH_ARGUMENT", "socket(family): family must be 4 or 6");
    return NULL;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return throw_errno(env, "socket", errno);
  napi_value result;
  CHECK(env, napi_create_int32(env, fd, &result));
  return result;
}

/* setsockopt(fd, level, name, value: Uint8Array): void */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd, level, name;
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &level) ||
      !get_int(env, argv[2], &name)) {
    napi_throw_type_error(env, "ANYVIP_TCP_AUTH_ARGUMENT",
                          "setsockopt(fd, level, name, value): fd, level and name must be integers");
    return NULL;
  }
  bool is_typed = false;
  CHECK(env, napi_is_typedarray(env, argv[3], &is_typed));
  if (!is_typed) {
    napi_throw_type_error(env, "ANYVIP_TCP_AUTH_ARGUMENT", "setsockopt: value must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  CHECK(env, napi_get_typedarray_info(env, argv[3], &type, &length, &data, NULL, NULL));
  if (type != napi_uint8_array) {
    napi_throw_type_error(env, "ANYVIP_TCP_AUTH_ARGUMENT", "setsockopt: value must be a Uint8Array");
    return NULL;
  }
  if (setsockopt(fd, level, name, data, (socklen_t)length) != 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* getsockoptInt(fd, level, name): number — for tests and checks. */
static napi_value js_getsockopt_int(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd, level, name;
  if (argc < 3 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &level) ||
      !get_int(env, argv[2], &name)) {
    napi_throw_type_error(env, "ANYVIP_TCP_AUTH_ARGUMENT", "getsockoptInt(fd, level, name): integers");
    return NULL;
  }
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(fd, level, name, &value, &len) != 0) return throw_errno(env, "getsockopt", errno);
  napi_value result;
  CHECK(env, napi_create_int32(env, value, &result));
  return result;
}

/* getsockoptBytes(fd, level, name, maxLength): Uint8Array — e.g. TCP_SAVED_SYN. */
static napi_value js_getsockopt_bytes(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd, level, name, max;
  if (argc < 4 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &level) ||
      !get_int(env, argv[2], &name) || !get_int(env, argv[3], &max) || max < 0 || max > 65536) {
    napi_throw_type_error(env, "ANYVIP_TCP_AUTH_ARGUMENT",
                          "getsockoptBytes(fd, level, name, maxLength): integers, maxLength in [0, 65536]");
    return NULL;
  }
  napi_value buffer;
  void *data;
  CHECK(env, napi_create_arraybuffer(env, (size_t)max, &data, &buffer));
  socklen_t len = (socklen_t)max;
  if (getsockopt(fd, level, name, data, &len) != 0) return throw_errno(env, "getsockopt", errno);
  napi_value result;
  CHECK(env, napi_create_typedarray(env, napi_uint8_array, (size_t)len, buffer, 0, &result));
  return result;
}

/* close(fd): void — for a socket that never reached Node. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  if (argc < 1 || !get_int(env, argv[0], &fd)) {
    napi_throw_type_error(env, "ANYVIP_TCP_AUTH_ARGUMENT", "close(fd): fd must be an integer");
    return NULL;
  }
  if (close(fd) != 0) return throw_errno(env, "close", errno);
  return NULL;
}

static void set_int(napi_env env, napi_value obj, const char *name, int value) {
  napi_value v;
  if (napi_create_int32(env, value, &v) == napi_ok) napi_set_named_property(env, obj, name, v);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
      {"socket", NULL, js_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setsockopt", NULL, js_setsockopt, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getsockoptInt", NULL, js_getsockopt_int, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getsockoptBytes", NULL, js_getsockopt_bytes, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns));
  /* The platform's numbers, so TypeScript never hard-codes them. */
  napi_value c;
  CHECK(env, napi_create_object(env, &c));
  set_int(env, c, "AF_INET", AF_INET);
  set_int(env, c, "AF_INET6", AF_INET6);
  set_int(env, c, "IPPROTO_IP", IPPROTO_IP);
  set_int(env, c, "IPPROTO_IPV6", IPPROTO_IPV6);
  set_int(env, c, "IPPROTO_TCP", IPPROTO_TCP);
  set_int(env, c, "IP_TTL", IP_TTL);
  set_int(env, c, "IP_MINTTL", IP_MINTTL);
  set_int(env, c, "IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS);
  set_int(env, c, "IPV6_MINHOPCOUNT", IPV6_MINHOPCOUNT);
  set_int(env, c, "TCP_MD5SIG", TCP_MD5SIG);
  set_int(env, c, "TCP_SAVE_SYN", TCP_SAVE_SYN);
  set_int(env, c, "TCP_SAVED_SYN", TCP_SAVED_SYN);
  set_int(env, c, "TCP_MD5SIG_MAXKEYLEN", TCP_MD5SIG_MAXKEYLEN);
  set_int(env, c, "SIZEOF_TCP_MD5SIG", (int)sizeof(struct tcp_md5sig));
  set_int(env, c, "SIZEOF_SOCKADDR_STORAGE", (int)sizeof(struct sockaddr_storage));
  CHECK(env, napi_set_named_property(env, exports, "constants", c));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
