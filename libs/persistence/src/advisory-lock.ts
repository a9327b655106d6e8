// PostgreSQL advisory locks, named by text (the key is hashtext(name)): the one place their SQL
// is written. A session lock belongs to the connection that took it (ending the connection
// releases it); a transaction lock ends with its transaction. Never pools a connection itself.

/** One connection that runs SQL: a TypeORM QueryRunner or transaction manager, or a pg Client. */
export interface SqlConnection {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** Waits for the session lock `name`. */
export async function advisoryLock(db: SqlConnection, name: string): Promise<void> {
  await db.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
}

/** Takes the session lock `name` if no other session holds it; true when taken. */
export async function tryAdvisoryLock(db: SqlConnection, name: string): Promise<boolean> {
  const result = await db.query('SELECT pg_try_advisory_lock(hashtext($1)) AS taken', [name]);
  return rowsOf<{ taken: boolean }>(result)[0]?.taken === true;
}

/** Releases the session lock `name`; a failure is ignored (ending the connection releases it anyway). */
export async function advisoryUnlock(db: SqlConnection, name: string): Promise<void> {
  await db.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
}

/** Waits for the transaction lock `name` (released at commit or rollback). */
export async function advisoryTransactionLock(db: SqlConnection, name: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
}

/** TypeORM answers with the rows, pg with a result holding them. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] } | undefined)?.rows ?? []) as T[];
}
