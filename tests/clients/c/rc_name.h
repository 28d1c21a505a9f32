/* The name of an ODBC return code, for the C clients' one-line answers. */
#ifndef RC_NAME_H
#define RC_NAME_H

#include <sql.h>
#include <sqlext.h>

static const char *rc_name(SQLRETURN rc) {
    switch (rc) {
    case SQL_SUCCESS: return "SUCCESS";
    case SQL_SUCCESS_WITH_INFO: return "SUCCESS_WITH_INFO";
    case SQL_NO_DATA: return "NO_DATA";
    case SQL_ERROR: return "ERROR";
    case SQL_INVALID_HANDLE: return "INVALID_HANDLE";
    case SQL_NEED_DATA: return "NEED_DATA";
    default: return "OTHER";
    }
}

#endif
