export * from './lib/policy.decorators';
export * from './lib/request-context';
export * from './lib/redact';
export * from './lib/error.filter';
export * from './lib/app-config';
export * from './lib/rate-limit-bucket.entity';
export * from './lib/rate-limiter.service';
export * from './lib/sql';
