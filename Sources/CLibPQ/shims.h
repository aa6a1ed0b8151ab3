#ifndef CLIBPQ_SHIMS_H
#define CLIBPQ_SHIMS_H

// libpq, PostgreSQL's C client (Debian: libpq-dev). Its calls are plain C functions without varargs,
// so Swift calls them directly; this header only makes them a module.
#include <libpq-fe.h>

#endif
