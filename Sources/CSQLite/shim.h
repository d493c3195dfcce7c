#ifndef AUDIENCE_CSQLITE_SHIM_H
#define AUDIENCE_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_OPEN_EXRESCODE came with SQLite 3.37; where it is missing, 0 asks for
// nothing and sqlite3_extended_result_codes() does the job once the handle is open.
#ifdef SQLITE_OPEN_EXRESCODE
#define AUDIENCE_SQLITE_OPEN_EXRESCODE SQLITE_OPEN_EXRESCODE
#else
#define AUDIENCE_SQLITE_OPEN_EXRESCODE 0
#endif

// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift
// cannot import: these bind a copy that SQLite owns. A zero-length value may
// come without a pointer, and a NULL pointer would bind SQL NULL instead of ""
// or an empty blob, so it is replaced by a pointer to an empty string.
static inline int audience_sqlite3_bind_text_transient(sqlite3_stmt *statement, int index,
                                                       const char *text, sqlite3_uint64 length) {
    return sqlite3_bind_text64(statement, index, text ? text : "", length, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static inline int audience_sqlite3_bind_blob_transient(sqlite3_stmt *statement, int index,
                                                       const void *bytes, sqlite3_uint64 length) {
    return sqlite3_bind_blob64(statement, index, bytes ? bytes : "", length, SQLITE_TRANSIENT);
}
#endif
