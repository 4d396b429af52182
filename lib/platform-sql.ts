import { join } from 'node:path';
import { packageRoot } from './private/package-root';

/** The data tier's own migration stream (the data_tier schema), applied before any application's. */
export const PLATFORM_SQL_DIR = join(packageRoot(), 'sql');
