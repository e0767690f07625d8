/**
 * PostgreSQL and Redis for the demo services: each service gets its own database (created on first start) and its own
 * Redis database number, and registers both with the connection gauges and the health checks.
 */
import { Redis } from "ioredis";
import pg from "pg";
import type { DependencyCheck, Instrumentation } from "@lookout/instrumentation";
import type { FaultInjector } from "./faults.js";

/** Creates database name if it does not exist (a service's first start), connecting to the maintenance database. */
export async function ensureDatabase(postgresUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } catch (error) {
        // Two processes starting at once: the other one created it.
        if ((error as { code?: string }).code !== "42P04") throw error;
      }
    }
  } finally {
    await client.end();
  }
}

export function databaseUrl(postgresUrl: string, name: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Stores {
  pool: pg.Pool;
  redis: Redis;
  checks: DependencyCheck[];
  close(): Promise<void>;
}

/** Opens the service's pool and Redis client, runs its schema statements, and builds their health checks. */
export async function openStores(options: {
  instrumentation: Instrumentation;
  faults: FaultInjector;
  postgresUrl: string;
  database: string;
  redisUrl: string;
  schema: string[];
}): Promise<Stores> {
  const { instrumentation, faults } = options;
  await ensureDatabase(options.postgresUrl, options.database);
  const pool = new pg.Pool({
    connectionString: databaseUrl(options.postgresUrl, options.database),
    max: 10,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on("error", (error) => instrumentation.logger.warn({ err: error.message }, "idle database connection failed"));
  for (const statement of options.schema) await pool.query(statement);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3_000, lazyConnect: false });
  redis.on("error", (error) => instrumentation.logger.warn({ err: error.message }, "redis connection error"));
  instrumentation.metrics.trackDatabasePool(pool);
  instrumentation.metrics.trackRedisClient(redis);
  const checks: DependencyCheck[] = [
    {
      name: "database",
      check: async () => {
        faults.guard("database");
        await pool.query("SELECT 1");
      },
    },
    {
      name: "redis",
      check: async () => {
        faults.guard("redis");
        if ((await redis.ping()) !== "PONG") throw new Error("redis did not answer PONG");
      },
    },
  ];
  return {
    pool,
    redis,
    checks,
    close: async () => {
      redis.disconnect();
      await pool.end();
    },
  };
}
