/*
** store_sql.h -- every SQL statement the server runs, by name. store_open()
** prepares them all, so a schema mismatch fails at start-up and not as a
** 500 later. Parameters are always bound (?1, ?2 ...), never printed in.
** Only store*.c include this file.
*/
#ifndef CM_STORE_SQL_H
#define CM_STORE_SQL_H

#define STORE_SQL(X)                                                           \
    X(SCHEMA_VERSION, "SELECT coalesce(max(version), 0) FROM schema_version")  \
    X(AUDIT_ADD, "INSERT INTO audit_log (actor, action, target, address, "     \
                 "details) VALUES (?1, ?2, ?3, ?4, ?5)")                       \
    X(AUDIT_COUNT, "SELECT count(*) FROM audit_log")

enum store_sql_id {
#define STORE_X_ENUM(name, sql) STORE_##name,
    STORE_SQL(STORE_X_ENUM)
#undef STORE_X_ENUM
        STORE_NSQL
};

#endif /* CM_STORE_SQL_H */
