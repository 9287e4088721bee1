import { AuditChainStateEntity, AuditDestinationEntity, AuditEntryEntity } from '@sylvite/api-audit';
import { ApiTokenEntity, RoleEntity, SessionEntity, SetupTokenEntity, UserEntity } from '@sylvite/api-auth';
import { RateLimitBucketEntity } from '@sylvite/api-core';
import { ProjectEntity, ProjectMembershipEntity } from '@sylvite/api-projects';
import { SettingEntity } from '@sylvite/api-settings';

/** Every entity of the app; the drift test checks them against the migrations. */
export const ENTITIES = [
  UserEntity, RoleEntity, SessionEntity, ApiTokenEntity, SetupTokenEntity, SettingEntity, RateLimitBucketEntity,
  AuditEntryEntity, AuditChainStateEntity, AuditDestinationEntity,
  ProjectEntity, ProjectMembershipEntity,
];
