import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SEARCH_LIMITS, searchLimits } from './search-limits.js';
import { SearchService } from './search.service.js';

@Module({
  providers: [
    { provide: SEARCH_LIMITS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => searchLimits(config) },
    SearchService,
  ],
  exports: [SearchService],
})
export class SearchModule {}
