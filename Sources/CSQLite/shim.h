#include <stddef.h>
#include <sqlite3.h>
// SQLITE_TRANSIENT / SQLITE_STATIC are cast macros that Swift cannot import.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type csqlite_static(void) { return SQLITE_STATIC; }
// glibc's memmem (two-way search, vectorised) for tw_may_contain; declared here because Swift's
// Glibc module is built without _GNU_SOURCE and does not export it.
extern void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);
static inline int csqlite_contains(const void *haystack, size_t length, const void *needle, size_t needleLength) {
    return memmem(haystack, length, needle, needleLength) != 0;
}
