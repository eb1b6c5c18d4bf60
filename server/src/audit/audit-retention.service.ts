import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AuditService } from './audit.service.js';

/** How often old entries are swept: retention is counted in days, so hourly is prompt enough. */
const SWEEP_INTERVAL_MS = 3600 * 1000;
/** The first sweep waits a little, so a start (and its migrations) is not slowed by it. */
const FIRST_SWEEP_MS = 60 * 1000;

/**
 * Keeps the audit log to SHOAL_AUDIT_RETENTION_DAYS. Every instance sweeps; deleting what
 * another instance already deleted is a no-op, so no coordination is needed.
 */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.auditRetentionDays === 0) return;
    const sweep = (next: number) => {
      this.timer = setTimeout(() => {
        void this.sweep().finally(() => sweep(SWEEP_INTERVAL_MS));
      }, next);
      this.timer.unref();
    };
    sweep(FIRST_SWEEP_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  async sweep(): Promise<void> {
    try {
      const deleted = await this.audit.prune(this.config.auditRetentionDays);
      if (deleted)
        this.logger.log(`deleted ${deleted} audit entries older than ${this.config.auditRetentionDays} days`);
    } catch (err) {
      this.logger.warn(`audit retention sweep failed, next try in an hour: ${(err as Error).message}`);
    }
  }
}
