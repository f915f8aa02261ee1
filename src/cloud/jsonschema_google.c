/*
 * jsonschema_google.c - the request messages of gkeid's Google APIs, for jsonschema.c:
 * each message's fields (proto and JSON names), their kinds, nested messages, maps,
 * repeated fields and enum values.
 *
 * Written out with a one-off script from two public sources: the field lists are those of
 * the discovery documents that gcloud 528 is generated from (so every field gcloud can send
 * is here, and path-bound fields such as "resource" are left out as those documents leave
 * them out); proto names, integer kinds, enum and map-entry type names come from
 * googleapis' protos (google/iam/v1, google/iam/admin/v1, google/iam/credentials/v1,
 * google/api/serviceusage/v1, google/container/v1 cluster_service.proto, 2026-08). The few
 * fields the discovery documents have and the protos do not yet have are named by the
 * protos' conventions (snake_case name; a nested enum named after its field). The Security
 * Token Service's proto is not published: its message is written from the sts v1
 * discovery document (GoogleIdentityStsV1ExchangeTokenRequest).
 */
#include "cloud/jsonschema.h"

#include <stddef.h>

static const struct jschema_msg M_google_iam_v1_GetPolicyOptions;
static const struct jschema_msg M_google_iam_v1_Policy;
static const struct jschema_msg M_google_iam_v1_AuditConfig;
static const struct jschema_msg M_google_iam_v1_AuditLogConfig;
static const struct jschema_msg M_google_iam_v1_Binding;
static const struct jschema_msg M_google_type_Expr;
static const struct jschema_msg M_google_container_v1_Cluster;
static const struct jschema_msg M_google_container_v1_AddonsConfig;
static const struct jschema_msg M_google_container_v1_CloudRunConfig;
static const struct jschema_msg M_google_container_v1_ConfigConnectorConfig;
static const struct jschema_msg M_google_container_v1_DnsCacheConfig;
static const struct jschema_msg M_google_container_v1_GcePersistentDiskCsiDriverConfig;
static const struct jschema_msg M_google_container_v1_GcpFilestoreCsiDriverConfig;
static const struct jschema_msg M_google_container_v1_GcsFuseCsiDriverConfig;
static const struct jschema_msg M_google_container_v1_GkeBackupAgentConfig;
static const struct jschema_msg M_google_container_v1_HighScaleCheckpointingConfig;
static const struct jschema_msg M_google_container_v1_HorizontalPodAutoscaling;
static const struct jschema_msg M_google_container_v1_HttpLoadBalancing;
static const struct jschema_msg M_google_container_v1_KubernetesDashboard;
static const struct jschema_msg M_google_container_v1_LustreCsiDriverConfig;
static const struct jschema_msg M_google_container_v1_NetworkPolicyConfig;
static const struct jschema_msg M_google_container_v1_ParallelstoreCsiDriverConfig;
static const struct jschema_msg M_google_container_v1_RayConfig;
static const struct jschema_msg M_google_container_v1_RayOperatorConfig;
static const struct jschema_msg M_google_container_v1_RayClusterLoggingConfig;
static const struct jschema_msg M_google_container_v1_RayClusterMonitoringConfig;
static const struct jschema_msg M_google_container_v1_StatefulHAConfig;
static const struct jschema_msg M_google_container_v1_AnonymousAuthenticationConfig;
static const struct jschema_msg M_google_container_v1_AuthenticatorGroupsConfig;
static const struct jschema_msg M_google_container_v1_Autopilot;
static const struct jschema_msg M_google_container_v1_AutopilotConversionStatus;
static const struct jschema_msg M_google_container_v1_WorkloadPolicyConfig;
static const struct jschema_msg M_google_container_v1_ClusterAutoscaling;
static const struct jschema_msg M_google_container_v1_AutoprovisioningNodePoolDefaults;
static const struct jschema_msg M_google_container_v1_NodeManagement;
static const struct jschema_msg M_google_container_v1_AutoUpgradeOptions;
static const struct jschema_msg M_google_container_v1_ShieldedInstanceConfig;
static const struct jschema_msg M_google_container_v1_NodePool_UpgradeSettings;
static const struct jschema_msg M_google_container_v1_BlueGreenSettings;
static const struct jschema_msg M_google_container_v1_BlueGreenSettings_StandardRolloutPolicy;
static const struct jschema_msg M_google_container_v1_NodePool_RollingSettings;
static const struct jschema_msg M_google_container_v1_DefaultComputeClassConfig;
static const struct jschema_msg M_google_container_v1_ResourceLimit;
static const struct jschema_msg M_google_container_v1_BinaryAuthorization;
static const struct jschema_msg M_google_container_v1_PolicyBinding;
static const struct jschema_msg M_google_container_v1_CompliancePostureConfig;
static const struct jschema_msg M_google_container_v1_CompliancePostureConfig_ComplianceStandard;
static const struct jschema_msg M_google_container_v1_ConcurrentOpsConfig;
static const struct jschema_msg M_google_container_v1_StatusCondition;
static const struct jschema_msg M_google_container_v1_ConfidentialNodes;
static const struct jschema_msg M_google_container_v1_ControlPlaneEndpointsConfig;
static const struct jschema_msg M_google_container_v1_ControlPlaneEndpointsConfig_DNSEndpointConfig;
static const struct jschema_msg M_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias;
static const struct jschema_msg M_google_container_v1_ControlPlaneEndpointsConfig_IPEndpointsConfig;
static const struct jschema_msg M_google_container_v1_MasterAuthorizedNetworksConfig;
static const struct jschema_msg M_google_container_v1_MasterAuthorizedNetworksConfig_CidrBlock;
static const struct jschema_msg M_google_container_v1_CostManagementConfig;
static const struct jschema_msg M_google_container_v1_DatabaseEncryption;
static const struct jschema_msg M_google_container_v1_DatabaseEncryption_OperationError;
static const struct jschema_msg M_google_container_v1_MaxPodsConstraint;
static const struct jschema_msg M_google_container_v1_K8sBetaAPIConfig;
static const struct jschema_msg M_google_container_v1_EnterpriseConfig;
static const struct jschema_msg M_google_container_v1_Fleet;
static const struct jschema_msg M_google_container_v1_GkeAutoUpgradeConfig;
static const struct jschema_msg M_google_container_v1_IdentityServiceConfig;
static const struct jschema_msg M_google_container_v1_IPAllocationPolicy;
static const struct jschema_msg M_google_container_v1_AdditionalIPRangesConfig;
static const struct jschema_msg M_google_container_v1_AdditionalPodRangesConfig;
static const struct jschema_msg M_google_container_v1_RangeInfo;
static const struct jschema_msg M_google_container_v1_AutoIpamConfig;
static const struct jschema_msg M_google_container_v1_NetworkTierConfig;
static const struct jschema_msg M_google_container_v1_PodCIDROverprovisionConfig;
static const struct jschema_msg M_google_container_v1_LegacyAbac;
static const struct jschema_msg M_google_container_v1_LoggingConfig;
static const struct jschema_msg M_google_container_v1_LoggingComponentConfig;
static const struct jschema_msg M_google_container_v1_RayLoggingConfig;
static const struct jschema_msg M_google_container_v1_MaintenancePolicy;
static const struct jschema_msg M_google_container_v1_MaintenanceWindow;
static const struct jschema_msg M_google_container_v1_DailyMaintenanceWindow;
static const struct jschema_msg M_google_container_v1_TimeWindow;
static const struct jschema_msg M_google_container_v1_MaintenanceExclusionOptions;
static const struct jschema_msg M_google_container_v1_RecurringTimeWindow;
static const struct jschema_msg M_google_container_v1_ManagedConfig;
static const struct jschema_msg M_google_container_v1_MasterAuth;
static const struct jschema_msg M_google_container_v1_ClientCertificateConfig;
static const struct jschema_msg M_google_container_v1_MeshCertificates;
static const struct jschema_msg M_google_container_v1_MonitoringConfig;
static const struct jschema_msg M_google_container_v1_AdvancedDatapathObservabilityConfig;
static const struct jschema_msg M_google_container_v1_MonitoringComponentConfig;
static const struct jschema_msg M_google_container_v1_ManagedPrometheusConfig;
static const struct jschema_msg M_google_container_v1_AutoMonitoringConfig;
static const struct jschema_msg M_google_container_v1_RayMonitoringConfig;
static const struct jschema_msg M_google_container_v1_NetworkConfig;
static const struct jschema_msg M_google_container_v1_DefaultSnatStatus;
static const struct jschema_msg M_google_container_v1_DNSConfig;
static const struct jschema_msg M_google_container_v1_GatewayAPIConfig;
static const struct jschema_msg M_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig;
static const struct jschema_msg M_google_container_v1_ServiceExternalIPsConfig;
static const struct jschema_msg M_google_container_v1_NetworkPolicy;
static const struct jschema_msg M_google_container_v1_NodeConfig;
static const struct jschema_msg M_google_container_v1_AcceleratorConfig;
static const struct jschema_msg M_google_container_v1_GPUDriverInstallationConfig;
static const struct jschema_msg M_google_container_v1_GPUSharingConfig;
static const struct jschema_msg M_google_container_v1_AdvancedMachineFeatures;
static const struct jschema_msg M_google_container_v1_BootDisk;
static const struct jschema_msg M_google_container_v1_ContainerdConfig;
static const struct jschema_msg M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig;
static const struct jschema_msg
	M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig;
static const struct jschema_msg
	M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig_GCPSecretManagerCertificateConfig;
static const struct jschema_msg M_google_container_v1_EphemeralStorageLocalSsdConfig;
static const struct jschema_msg M_google_container_v1_FastSocket;
static const struct jschema_msg M_google_container_v1_GcfsConfig;
static const struct jschema_msg M_google_container_v1_GPUDirectConfig;
static const struct jschema_msg M_google_container_v1_VirtualNIC;
static const struct jschema_msg M_google_container_v1_NodeKubeletConfig;
static const struct jschema_msg M_google_container_v1_EvictionMinimumReclaim;
static const struct jschema_msg M_google_container_v1_EvictionSignals;
static const struct jschema_msg M_google_container_v1_EvictionGracePeriod;
static const struct jschema_msg M_google_container_v1_MemoryManager;
static const struct jschema_msg M_google_container_v1_TopologyManager;
static const struct jschema_msg M_google_container_v1_LinuxNodeConfig;
static const struct jschema_msg M_google_container_v1_LinuxNodeConfig_HugepagesConfig;
static const struct jschema_msg M_google_container_v1_LocalNvmeSsdBlockConfig;
static const struct jschema_msg M_google_container_v1_NodePoolLoggingConfig;
static const struct jschema_msg M_google_container_v1_LoggingVariantConfig;
static const struct jschema_msg M_google_container_v1_CustomImageConfig;
static const struct jschema_msg M_google_container_v1_ReservationAffinity;
static const struct jschema_msg M_google_container_v1_ResourceManagerTags;
static const struct jschema_msg M_google_container_v1_SandboxConfig;
static const struct jschema_msg M_google_container_v1_SecondaryBootDiskUpdateStrategy;
static const struct jschema_msg M_google_container_v1_SecondaryBootDisk;
static const struct jschema_msg M_google_container_v1_SoleTenantConfig;
static const struct jschema_msg M_google_container_v1_SoleTenantConfig_NodeAffinity;
static const struct jschema_msg M_google_container_v1_NodeTaint;
static const struct jschema_msg M_google_container_v1_WindowsNodeConfig;
static const struct jschema_msg M_google_container_v1_WorkloadMetadataConfig;
static const struct jschema_msg M_google_container_v1_NodePoolAutoConfig;
static const struct jschema_msg M_google_container_v1_NetworkTags;
static const struct jschema_msg M_google_container_v1_NodePoolDefaults;
static const struct jschema_msg M_google_container_v1_NodeConfigDefaults;
static const struct jschema_msg M_google_container_v1_NodePool;
static const struct jschema_msg M_google_container_v1_AutopilotConfig;
static const struct jschema_msg M_google_container_v1_NodePoolAutoscaling;
static const struct jschema_msg M_google_container_v1_BestEffortProvisioning;
static const struct jschema_msg M_google_container_v1_NodeNetworkConfig;
static const struct jschema_msg M_google_container_v1_AdditionalNodeNetworkConfig;
static const struct jschema_msg M_google_container_v1_AdditionalPodNetworkConfig;
static const struct jschema_msg M_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig;
static const struct jschema_msg M_google_container_v1_NodePool_PlacementPolicy;
static const struct jschema_msg M_google_container_v1_NodePool_QueuedProvisioning;
static const struct jschema_msg M_google_container_v1_NodePool_UpdateInfo;
static const struct jschema_msg M_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo;
static const struct jschema_msg M_google_container_v1_NotificationConfig;
static const struct jschema_msg M_google_container_v1_NotificationConfig_PubSub;
static const struct jschema_msg M_google_container_v1_NotificationConfig_Filter;
static const struct jschema_msg M_google_container_v1_ParentProductConfig;
static const struct jschema_msg M_google_container_v1_PodAutoscaling;
static const struct jschema_msg M_google_container_v1_PrivateClusterConfig;
static const struct jschema_msg M_google_container_v1_PrivateClusterMasterGlobalAccessConfig;
static const struct jschema_msg M_google_container_v1_RBACBindingConfig;
static const struct jschema_msg M_google_container_v1_ReleaseChannel;
static const struct jschema_msg M_google_container_v1_ResourceUsageExportConfig;
static const struct jschema_msg M_google_container_v1_ResourceUsageExportConfig_BigQueryDestination;
static const struct jschema_msg
	M_google_container_v1_ResourceUsageExportConfig_ConsumptionMeteringConfig;
static const struct jschema_msg M_google_container_v1_RuntimeVulnerabilityInsightConfig;
static const struct jschema_msg M_google_container_v1_SecretManagerConfig;
static const struct jschema_msg M_google_container_v1_SecretManagerConfig_RotationConfig;
static const struct jschema_msg M_google_container_v1_SecurityPostureConfig;
static const struct jschema_msg M_google_container_v1_ShieldedNodes;
static const struct jschema_msg M_google_container_v1_UserManagedKeysConfig;
static const struct jschema_msg M_google_container_v1_VerticalPodAutoscaling;
static const struct jschema_msg M_google_container_v1_WorkloadIdentityConfig;
static const struct jschema_msg M_google_container_v1_ClusterUpdate;
static const struct jschema_msg M_google_container_v1_DesiredAdditionalIPRangesConfig;
static const struct jschema_msg M_google_container_v1_DesiredEnterpriseConfig;
static const struct jschema_msg M_google_container_v1_IntraNodeVisibilityConfig;
static const struct jschema_msg M_google_container_v1_ILBSubsettingConfig;
static const struct jschema_msg M_google_container_v1_NodeLabels;
static const struct jschema_msg M_google_container_v1_ResourceLabels;
static const struct jschema_msg M_google_container_v1_NodeTaints;
static const char *const EV_google_iam_v1_AuditLogConfig_LogType[] = {
	"LOG_TYPE_UNSPECIFIED", "ADMIN_READ", "DATA_WRITE", "DATA_READ"};
static const struct jschema_enum E_google_iam_v1_AuditLogConfig_LogType = {
	"google.iam.v1.AuditLogConfig.LogType", EV_google_iam_v1_AuditLogConfig_LogType, 4};
static const char *const EV_google_iam_admin_v1_ServiceAccountKeyAlgorithm[] = {
	"KEY_ALG_UNSPECIFIED", "KEY_ALG_RSA_1024", "KEY_ALG_RSA_2048"};
static const struct jschema_enum E_google_iam_admin_v1_ServiceAccountKeyAlgorithm = {
	"google.iam.admin.v1.ServiceAccountKeyAlgorithm",
	EV_google_iam_admin_v1_ServiceAccountKeyAlgorithm, 3};
static const char *const EV_google_iam_admin_v1_ServiceAccountPrivateKeyType[] = {
	"TYPE_UNSPECIFIED", "TYPE_PKCS12_FILE", "TYPE_GOOGLE_CREDENTIALS_FILE"};
static const struct jschema_enum E_google_iam_admin_v1_ServiceAccountPrivateKeyType = {
	"google.iam.admin.v1.ServiceAccountPrivateKeyType",
	EV_google_iam_admin_v1_ServiceAccountPrivateKeyType, 3};
static const char *const
	EV_google_iam_admin_v1_DisableServiceAccountKeyRequest_ServiceAccountKeyDisableReason[] = {
		"SERVICE_ACCOUNT_KEY_DISABLE_REASON_UNSPECIFIED",
		"SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED",
		"SERVICE_ACCOUNT_KEY_DISABLE_REASON_EXPOSED",
		"SERVICE_ACCOUNT_KEY_DISABLE_REASON_COMPROMISE_DETECTED"};
static const struct jschema_enum
	E_google_iam_admin_v1_DisableServiceAccountKeyRequest_ServiceAccountKeyDisableReason = {
		"google.iam.admin.v1.DisableServiceAccountKeyRequest."
		"ServiceAccountKeyDisableReason",
		EV_google_iam_admin_v1_DisableServiceAccountKeyRequest_ServiceAccountKeyDisableReason,
		4};
static const char *const EV_google_iam_admin_v1_RoleView[] = {"BASIC", "FULL"};
static const struct jschema_enum E_google_iam_admin_v1_RoleView = {
	"google.iam.admin.v1.RoleView", EV_google_iam_admin_v1_RoleView, 2};
static const char
	*const EV_google_api_serviceusage_v1_DisableServiceRequest_CheckIfServiceHasUsage[] = {
		"CHECK_IF_SERVICE_HAS_USAGE_UNSPECIFIED", "SKIP", "CHECK"};
static const struct jschema_enum
	E_google_api_serviceusage_v1_DisableServiceRequest_CheckIfServiceHasUsage = {
		"google.api.serviceusage.v1.DisableServiceRequest.CheckIfServiceHasUsage",
		EV_google_api_serviceusage_v1_DisableServiceRequest_CheckIfServiceHasUsage, 3};
static const char *const EV_google_container_v1_CloudRunConfig_LoadBalancerType[] = {
	"LOAD_BALANCER_TYPE_UNSPECIFIED", "LOAD_BALANCER_TYPE_EXTERNAL",
	"LOAD_BALANCER_TYPE_INTERNAL"};
static const struct jschema_enum E_google_container_v1_CloudRunConfig_LoadBalancerType = {
	"google.container.v1.CloudRunConfig.LoadBalancerType",
	EV_google_container_v1_CloudRunConfig_LoadBalancerType, 3};
static const char *const EV_google_container_v1_AnonymousAuthenticationConfig_Mode[] = {
	"MODE_UNSPECIFIED", "ENABLED", "LIMITED"};
static const struct jschema_enum E_google_container_v1_AnonymousAuthenticationConfig_Mode = {
	"google.container.v1.AnonymousAuthenticationConfig.Mode",
	EV_google_container_v1_AnonymousAuthenticationConfig_Mode, 3};
static const char *const EV_google_container_v1_AutopilotConversionStatus_State[] = {
	"STATE_UNSPECIFIED",	       "CONFIGURING", "MIGRATING",
	"MIGRATED_WAITING_FOR_COMMIT", "COMMITTING",  "DONE"};
static const struct jschema_enum E_google_container_v1_AutopilotConversionStatus_State = {
	"google.container.v1.AutopilotConversionStatus.State",
	EV_google_container_v1_AutopilotConversionStatus_State, 6};
static const char *const EV_google_container_v1_AutopilotConversionStatus_Type[] = {
	"TYPE_UNSPECIFIED", "CONVERT_TO_AUTOPILOT", "CONVERT_TO_STANDARD"};
static const struct jschema_enum E_google_container_v1_AutopilotConversionStatus_Type = {
	"google.container.v1.AutopilotConversionStatus.Type",
	EV_google_container_v1_AutopilotConversionStatus_Type, 3};
static const char *const EV_google_container_v1_NodePoolUpdateStrategy[] = {
	"NODE_POOL_UPDATE_STRATEGY_UNSPECIFIED",
	"BLUE_GREEN",
	"SURGE",
	"SHORT_LIVED",
	"ROLLING",
	"QUEUED_PROVISIONING"};
static const struct jschema_enum E_google_container_v1_NodePoolUpdateStrategy = {
	"google.container.v1.NodePoolUpdateStrategy", EV_google_container_v1_NodePoolUpdateStrategy,
	6};
static const char *const EV_google_container_v1_ClusterAutoscaling_AutoscalingProfile[] = {
	"PROFILE_UNSPECIFIED", "OPTIMIZE_UTILIZATION", "BALANCED"};
static const struct jschema_enum E_google_container_v1_ClusterAutoscaling_AutoscalingProfile = {
	"google.container.v1.ClusterAutoscaling.AutoscalingProfile",
	EV_google_container_v1_ClusterAutoscaling_AutoscalingProfile, 3};
static const char *const EV_google_container_v1_BinaryAuthorization_EvaluationMode[] = {
	"EVALUATION_MODE_UNSPECIFIED", "DISABLED", "PROJECT_SINGLETON_POLICY_ENFORCE",
	"POLICY_BINDINGS", "POLICY_BINDINGS_AND_PROJECT_SINGLETON_POLICY_ENFORCE"};
static const struct jschema_enum E_google_container_v1_BinaryAuthorization_EvaluationMode = {
	"google.container.v1.BinaryAuthorization.EvaluationMode",
	EV_google_container_v1_BinaryAuthorization_EvaluationMode, 5};
static const char *const EV_google_container_v1_PolicyBinding_EnforcementMode[] = {
	"ENFORCEMENT_MODE_UNSPECIFIED", "AUDIT", "AUDIT_AND_DRYRUN", "AUDIT_AND_ENFORCE"};
static const struct jschema_enum E_google_container_v1_PolicyBinding_EnforcementMode = {
	"google.container.v1.PolicyBinding.EnforcementMode",
	EV_google_container_v1_PolicyBinding_EnforcementMode, 4};
static const char *const EV_google_container_v1_CompliancePostureConfig_Mode[] = {
	"MODE_UNSPECIFIED", "DISABLED", "ENABLED"};
static const struct jschema_enum E_google_container_v1_CompliancePostureConfig_Mode = {
	"google.container.v1.CompliancePostureConfig.Mode",
	EV_google_container_v1_CompliancePostureConfig_Mode, 3};
static const char *const EV_google_rpc_Code[] = {"OK",
						 "CANCELLED",
						 "UNKNOWN",
						 "INVALID_ARGUMENT",
						 "DEADLINE_EXCEEDED",
						 "NOT_FOUND",
						 "ALREADY_EXISTS",
						 "PERMISSION_DENIED",
						 "UNAUTHENTICATED",
						 "RESOURCE_EXHAUSTED",
						 "FAILED_PRECONDITION",
						 "ABORTED",
						 "OUT_OF_RANGE",
						 "UNIMPLEMENTED",
						 "INTERNAL",
						 "UNAVAILABLE",
						 "DATA_LOSS"};
static const struct jschema_enum E_google_rpc_Code = {"google.rpc.Code", EV_google_rpc_Code, 17};
static const char *const EV_google_container_v1_StatusCondition_Code[] = {
	"UNKNOWN",
	"GCE_STOCKOUT",
	"GKE_SERVICE_ACCOUNT_DELETED",
	"GCE_QUOTA_EXCEEDED",
	"SET_BY_OPERATOR",
	"CLOUD_KMS_KEY_ERROR",
	"CA_EXPIRING",
	"NODE_SERVICE_ACCOUNT_MISSING_PERMISSIONS",
	"CLOUD_KMS_KEY_DESTROYED"};
static const struct jschema_enum E_google_container_v1_StatusCondition_Code = {
	"google.container.v1.StatusCondition.Code", EV_google_container_v1_StatusCondition_Code, 9};
static const char *const EV_google_container_v1_ConfidentialNodes_ConfidentialInstanceType[] = {
	"CONFIDENTIAL_INSTANCE_TYPE_UNSPECIFIED", "SEV", "SEV_SNP", "TDX"};
static const struct jschema_enum E_google_container_v1_ConfidentialNodes_ConfidentialInstanceType =
	{"google.container.v1.ConfidentialNodes.ConfidentialInstanceType",
	 EV_google_container_v1_ConfidentialNodes_ConfidentialInstanceType, 4};
static const char *const EV_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias_Type[] = {
	"DNS_ALIAS_TYPE_UNSPECIFIED", "STANDARD", "TENANT"};
static const struct jschema_enum E_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias_Type = {
	"google.container.v1.ControlPlaneEndpointsConfig.DNSAlias.Type",
	EV_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias_Type, 3};
static const char *const EV_google_container_v1_DatabaseEncryption_CurrentState[] = {
	"CURRENT_STATE_UNSPECIFIED",
	"CURRENT_STATE_ENCRYPTED",
	"CURRENT_STATE_DECRYPTED",
	"CURRENT_STATE_ENCRYPTION_PENDING",
	"CURRENT_STATE_ENCRYPTION_ERROR",
	"CURRENT_STATE_DECRYPTION_PENDING",
	"CURRENT_STATE_DECRYPTION_ERROR",
	"CURRENT_STATE_ALL_OBJECTS_ENCRYPTION_ENABLED",
	"CURRENT_STATE_ALL_OBJECTS_ENCRYPTION_PENDING",
	"CURRENT_STATE_ALL_OBJECTS_ENCRYPTION_ERROR"};
static const struct jschema_enum E_google_container_v1_DatabaseEncryption_CurrentState = {
	"google.container.v1.DatabaseEncryption.CurrentState",
	EV_google_container_v1_DatabaseEncryption_CurrentState, 10};
static const char *const EV_google_container_v1_DatabaseEncryption_State[] = {
	"UNKNOWN", "ENCRYPTED", "DECRYPTED", "ALL_OBJECTS_ENCRYPTION_ENABLED"};
static const struct jschema_enum E_google_container_v1_DatabaseEncryption_State = {
	"google.container.v1.DatabaseEncryption.State",
	EV_google_container_v1_DatabaseEncryption_State, 4};
static const char *const EV_google_container_v1_EnterpriseConfig_ClusterTier[] = {
	"CLUSTER_TIER_UNSPECIFIED", "STANDARD", "ENTERPRISE"};
static const struct jschema_enum E_google_container_v1_EnterpriseConfig_ClusterTier = {
	"google.container.v1.EnterpriseConfig.ClusterTier",
	EV_google_container_v1_EnterpriseConfig_ClusterTier, 3};
static const char *const EV_google_container_v1_GkeAutoUpgradeConfig_PatchMode[] = {
	"PATCH_MODE_UNSPECIFIED", "ACCELERATED"};
static const struct jschema_enum E_google_container_v1_GkeAutoUpgradeConfig_PatchMode = {
	"google.container.v1.GkeAutoUpgradeConfig.PatchMode",
	EV_google_container_v1_GkeAutoUpgradeConfig_PatchMode, 2};
static const char *const EV_google_container_v1_IPv6AccessType[] = {"IPV6_ACCESS_TYPE_UNSPECIFIED",
								    "INTERNAL", "EXTERNAL"};
static const struct jschema_enum E_google_container_v1_IPv6AccessType = {
	"google.container.v1.IPv6AccessType", EV_google_container_v1_IPv6AccessType, 3};
static const char *const EV_google_container_v1_NetworkTierConfig_NetworkTier[] = {
	"NETWORK_TIER_UNSPECIFIED", "NETWORK_TIER_DEFAULT", "NETWORK_TIER_PREMIUM",
	"NETWORK_TIER_STANDARD"};
static const struct jschema_enum E_google_container_v1_NetworkTierConfig_NetworkTier = {
	"google.container.v1.NetworkTierConfig.NetworkTier",
	EV_google_container_v1_NetworkTierConfig_NetworkTier, 4};
static const char *const EV_google_container_v1_StackType[] = {"STACK_TYPE_UNSPECIFIED", "IPV4",
							       "IPV4_IPV6"};
static const struct jschema_enum E_google_container_v1_StackType = {
	"google.container.v1.StackType", EV_google_container_v1_StackType, 3};
static const char *const EV_google_container_v1_LoggingComponentConfig_Component[] = {
	"COMPONENT_UNSPECIFIED", "SYSTEM_COMPONENTS", "WORKLOADS",	"APISERVER", "SCHEDULER",
	"CONTROLLER_MANAGER",	 "KCP_SSHD",	      "KCP_CONNECTION", "KCP_HPA",   "KCP_VPA",
	"ADDON_MANAGER"};
static const struct jschema_enum E_google_container_v1_LoggingComponentConfig_Component = {
	"google.container.v1.LoggingComponentConfig.Component",
	EV_google_container_v1_LoggingComponentConfig_Component, 11};
static const char *const EV_google_container_v1_MaintenanceExclusionOptions_Scope[] = {
	"NO_UPGRADES", "NO_MINOR_UPGRADES", "NO_MINOR_OR_NODE_UPGRADES"};
static const struct jschema_enum E_google_container_v1_MaintenanceExclusionOptions_Scope = {
	"google.container.v1.MaintenanceExclusionOptions.Scope",
	EV_google_container_v1_MaintenanceExclusionOptions_Scope, 3};
static const char *const EV_google_container_v1_ManagedConfig_Type[] = {"TYPE_UNSPECIFIED",
									"DISABLED", "AUTOFLEET"};
static const struct jschema_enum E_google_container_v1_ManagedConfig_Type = {
	"google.container.v1.ManagedConfig.Type", EV_google_container_v1_ManagedConfig_Type, 3};
static const char *const EV_google_container_v1_AdvancedDatapathObservabilityConfig_RelayMode[] = {
	"RELAY_MODE_UNSPECIFIED", "DISABLED", "INTERNAL_VPC_LB", "EXTERNAL_LB"};
static const struct jschema_enum
	E_google_container_v1_AdvancedDatapathObservabilityConfig_RelayMode = {
		"google.container.v1.AdvancedDatapathObservabilityConfig.RelayMode",
		EV_google_container_v1_AdvancedDatapathObservabilityConfig_RelayMode, 4};
static const char *const EV_google_container_v1_MonitoringComponentConfig_Component[] = {
	"COMPONENT_UNSPECIFIED",
	"SYSTEM_COMPONENTS",
	"APISERVER",
	"SCHEDULER",
	"CONTROLLER_MANAGER",
	"STORAGE",
	"HPA",
	"POD",
	"DAEMONSET",
	"DEPLOYMENT",
	"STATEFULSET",
	"CADVISOR",
	"KUBELET",
	"DCGM",
	"JOBSET",
	"WORKLOADS"};
static const struct jschema_enum E_google_container_v1_MonitoringComponentConfig_Component = {
	"google.container.v1.MonitoringComponentConfig.Component",
	EV_google_container_v1_MonitoringComponentConfig_Component, 16};
static const char *const EV_google_container_v1_AutoMonitoringConfig_Scope[] = {"SCOPE_UNSPECIFIED",
										"ALL", "NONE"};
static const struct jschema_enum E_google_container_v1_AutoMonitoringConfig_Scope = {
	"google.container.v1.AutoMonitoringConfig.Scope",
	EV_google_container_v1_AutoMonitoringConfig_Scope, 3};
static const char *const EV_google_container_v1_DatapathProvider[] = {
	"DATAPATH_PROVIDER_UNSPECIFIED", "LEGACY_DATAPATH", "ADVANCED_DATAPATH",
	"MIGRATE_TO_ADVANCED_DATAPATH", "MIGRATE_TO_LEGACY_DATAPATH"};
static const struct jschema_enum E_google_container_v1_DatapathProvider = {
	"google.container.v1.DatapathProvider", EV_google_container_v1_DatapathProvider, 5};
static const char *const EV_google_container_v1_DNSConfig_Provider[] = {
	"PROVIDER_UNSPECIFIED", "PLATFORM_DEFAULT", "CLOUD_DNS", "KUBE_DNS"};
static const struct jschema_enum E_google_container_v1_DNSConfig_Provider = {
	"google.container.v1.DNSConfig.Provider", EV_google_container_v1_DNSConfig_Provider, 4};
static const char *const EV_google_container_v1_DNSConfig_DNSScope[] = {
	"DNS_SCOPE_UNSPECIFIED", "CLUSTER_SCOPE", "VPC_SCOPE"};
static const struct jschema_enum E_google_container_v1_DNSConfig_DNSScope = {
	"google.container.v1.DNSConfig.DNSScope", EV_google_container_v1_DNSConfig_DNSScope, 3};
static const char *const EV_google_container_v1_GatewayAPIConfig_Channel[] = {
	"CHANNEL_UNSPECIFIED", "CHANNEL_DISABLED", "CHANNEL_EXPERIMENTAL", "CHANNEL_STANDARD"};
static const struct jschema_enum E_google_container_v1_GatewayAPIConfig_Channel = {
	"google.container.v1.GatewayAPIConfig.Channel",
	EV_google_container_v1_GatewayAPIConfig_Channel, 4};
static const char *const EV_google_container_v1_InTransitEncryptionConfig[] = {
	"IN_TRANSIT_ENCRYPTION_CONFIG_UNSPECIFIED", "IN_TRANSIT_ENCRYPTION_DISABLED",
	"IN_TRANSIT_ENCRYPTION_INTER_NODE_TRANSPARENT"};
static const struct jschema_enum E_google_container_v1_InTransitEncryptionConfig = {
	"google.container.v1.InTransitEncryptionConfig",
	EV_google_container_v1_InTransitEncryptionConfig, 3};
static const char
	*const EV_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig_Tier[] = {
		"TIER_UNSPECIFIED", "TIER_1"};
static const struct jschema_enum
	E_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig_Tier = {
		"google.container.v1.NetworkConfig.ClusterNetworkPerformanceConfig.Tier",
		EV_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig_Tier, 2};
static const char *const EV_google_container_v1_PrivateIPv6GoogleAccess[] = {
	"PRIVATE_IPV6_GOOGLE_ACCESS_UNSPECIFIED", "PRIVATE_IPV6_GOOGLE_ACCESS_DISABLED",
	"PRIVATE_IPV6_GOOGLE_ACCESS_TO_GOOGLE", "PRIVATE_IPV6_GOOGLE_ACCESS_BIDIRECTIONAL"};
static const struct jschema_enum E_google_container_v1_PrivateIPv6GoogleAccess = {
	"google.container.v1.PrivateIPv6GoogleAccess",
	EV_google_container_v1_PrivateIPv6GoogleAccess, 4};
static const char *const EV_google_container_v1_NetworkPolicy_Provider[] = {"PROVIDER_UNSPECIFIED",
									    "CALICO"};
static const struct jschema_enum E_google_container_v1_NetworkPolicy_Provider = {
	"google.container.v1.NetworkPolicy.Provider", EV_google_container_v1_NetworkPolicy_Provider,
	2};
static const char *const EV_google_container_v1_GPUDriverInstallationConfig_GPUDriverVersion[] = {
	"GPU_DRIVER_VERSION_UNSPECIFIED", "INSTALLATION_DISABLED", "DEFAULT", "LATEST"};
static const struct jschema_enum
	E_google_container_v1_GPUDriverInstallationConfig_GPUDriverVersion = {
		"google.container.v1.GPUDriverInstallationConfig.GPUDriverVersion",
		EV_google_container_v1_GPUDriverInstallationConfig_GPUDriverVersion, 4};
static const char *const EV_google_container_v1_GPUSharingConfig_GPUSharingStrategy[] = {
	"GPU_SHARING_STRATEGY_UNSPECIFIED", "TIME_SHARING", "MPS"};
static const struct jschema_enum E_google_container_v1_GPUSharingConfig_GPUSharingStrategy = {
	"google.container.v1.GPUSharingConfig.GPUSharingStrategy",
	EV_google_container_v1_GPUSharingConfig_GPUSharingStrategy, 3};
static const char
	*const EV_google_container_v1_AdvancedMachineFeatures_PerformanceMonitoringUnit[] = {
		"PERFORMANCE_MONITORING_UNIT_UNSPECIFIED", "ARCHITECTURAL", "STANDARD", "ENHANCED"};
static const struct jschema_enum
	E_google_container_v1_AdvancedMachineFeatures_PerformanceMonitoringUnit = {
		"google.container.v1.AdvancedMachineFeatures.PerformanceMonitoringUnit",
		EV_google_container_v1_AdvancedMachineFeatures_PerformanceMonitoringUnit, 4};
static const char *const EV_google_container_v1_NodeConfig_EffectiveCgroupMode[] = {
	"EFFECTIVE_CGROUP_MODE_UNSPECIFIED", "EFFECTIVE_CGROUP_MODE_V1",
	"EFFECTIVE_CGROUP_MODE_V2"};
static const struct jschema_enum E_google_container_v1_NodeConfig_EffectiveCgroupMode = {
	"google.container.v1.NodeConfig.EffectiveCgroupMode",
	EV_google_container_v1_NodeConfig_EffectiveCgroupMode, 3};
static const char *const EV_google_container_v1_GPUDirectConfig_GPUDirectStrategy[] = {
	"GPU_DIRECT_STRATEGY_UNSPECIFIED", "RDMA", "TCPX"};
static const struct jschema_enum E_google_container_v1_GPUDirectConfig_GPUDirectStrategy = {
	"google.container.v1.GPUDirectConfig.GPUDirectStrategy",
	EV_google_container_v1_GPUDirectConfig_GPUDirectStrategy, 3};
static const char *const EV_google_container_v1_LinuxNodeConfig_CgroupMode[] = {
	"CGROUP_MODE_UNSPECIFIED", "CGROUP_MODE_V1", "CGROUP_MODE_V2"};
static const struct jschema_enum E_google_container_v1_LinuxNodeConfig_CgroupMode = {
	"google.container.v1.LinuxNodeConfig.CgroupMode",
	EV_google_container_v1_LinuxNodeConfig_CgroupMode, 3};
static const char *const EV_google_container_v1_LinuxNodeConfig_TransparentHugepageDefrag[] = {
	"TRANSPARENT_HUGEPAGE_DEFRAG_UNSPECIFIED", "TRANSPARENT_HUGEPAGE_DEFRAG_ALWAYS",
	"TRANSPARENT_HUGEPAGE_DEFRAG_DEFER",	   "TRANSPARENT_HUGEPAGE_DEFRAG_DEFER_WITH_MADVISE",
	"TRANSPARENT_HUGEPAGE_DEFRAG_MADVISE",	   "TRANSPARENT_HUGEPAGE_DEFRAG_NEVER"};
static const struct jschema_enum E_google_container_v1_LinuxNodeConfig_TransparentHugepageDefrag = {
	"google.container.v1.LinuxNodeConfig.TransparentHugepageDefrag",
	EV_google_container_v1_LinuxNodeConfig_TransparentHugepageDefrag, 6};
static const char *const EV_google_container_v1_LinuxNodeConfig_TransparentHugepageEnabled[] = {
	"TRANSPARENT_HUGEPAGE_ENABLED_UNSPECIFIED", "TRANSPARENT_HUGEPAGE_ENABLED_ALWAYS",
	"TRANSPARENT_HUGEPAGE_ENABLED_MADVISE", "TRANSPARENT_HUGEPAGE_ENABLED_NEVER"};
static const struct jschema_enum E_google_container_v1_LinuxNodeConfig_TransparentHugepageEnabled =
	{"google.container.v1.LinuxNodeConfig.TransparentHugepageEnabled",
	 EV_google_container_v1_LinuxNodeConfig_TransparentHugepageEnabled, 4};
static const char *const EV_google_container_v1_NodeConfig_LocalSsdEncryptionMode[] = {
	"LOCAL_SSD_ENCRYPTION_MODE_UNSPECIFIED", "STANDARD_ENCRYPTION", "EPHEMERAL_KEY_ENCRYPTION"};
static const struct jschema_enum E_google_container_v1_NodeConfig_LocalSsdEncryptionMode = {
	"google.container.v1.NodeConfig.LocalSsdEncryptionMode",
	EV_google_container_v1_NodeConfig_LocalSsdEncryptionMode, 3};
static const char *const EV_google_container_v1_LoggingVariantConfig_Variant[] = {
	"VARIANT_UNSPECIFIED", "DEFAULT", "MAX_THROUGHPUT"};
static const struct jschema_enum E_google_container_v1_LoggingVariantConfig_Variant = {
	"google.container.v1.LoggingVariantConfig.Variant",
	EV_google_container_v1_LoggingVariantConfig_Variant, 3};
static const char *const EV_google_container_v1_ReservationAffinity_Type[] = {
	"UNSPECIFIED", "NO_RESERVATION", "ANY_RESERVATION", "SPECIFIC_RESERVATION",
	"ANY_RESERVATION_THEN_FAIL"};
static const struct jschema_enum E_google_container_v1_ReservationAffinity_Type = {
	"google.container.v1.ReservationAffinity.Type",
	EV_google_container_v1_ReservationAffinity_Type, 5};
static const char *const EV_google_container_v1_SandboxConfig_Type[] = {"UNSPECIFIED", "GVISOR"};
static const struct jschema_enum E_google_container_v1_SandboxConfig_Type = {
	"google.container.v1.SandboxConfig.Type", EV_google_container_v1_SandboxConfig_Type, 2};
static const char *const EV_google_container_v1_SecondaryBootDisk_Mode[] = {
	"MODE_UNSPECIFIED", "CONTAINER_IMAGE_CACHE"};
static const struct jschema_enum E_google_container_v1_SecondaryBootDisk_Mode = {
	"google.container.v1.SecondaryBootDisk.Mode", EV_google_container_v1_SecondaryBootDisk_Mode,
	2};
static const char *const EV_google_container_v1_SoleTenantConfig_NodeAffinity_Operator[] = {
	"OPERATOR_UNSPECIFIED", "IN", "NOT_IN"};
static const struct jschema_enum E_google_container_v1_SoleTenantConfig_NodeAffinity_Operator = {
	"google.container.v1.SoleTenantConfig.NodeAffinity.Operator",
	EV_google_container_v1_SoleTenantConfig_NodeAffinity_Operator, 3};
static const char *const EV_google_container_v1_NodeTaint_Effect[] = {
	"EFFECT_UNSPECIFIED", "NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"};
static const struct jschema_enum E_google_container_v1_NodeTaint_Effect = {
	"google.container.v1.NodeTaint.Effect", EV_google_container_v1_NodeTaint_Effect, 4};
static const char *const EV_google_container_v1_WindowsNodeConfig_OSVersion[] = {
	"OS_VERSION_UNSPECIFIED", "OS_VERSION_LTSC2019", "OS_VERSION_LTSC2022"};
static const struct jschema_enum E_google_container_v1_WindowsNodeConfig_OSVersion = {
	"google.container.v1.WindowsNodeConfig.OSVersion",
	EV_google_container_v1_WindowsNodeConfig_OSVersion, 3};
static const char *const EV_google_container_v1_WorkloadMetadataConfig_Mode[] = {
	"MODE_UNSPECIFIED", "GCE_METADATA", "GKE_METADATA"};
static const struct jschema_enum E_google_container_v1_WorkloadMetadataConfig_Mode = {
	"google.container.v1.WorkloadMetadataConfig.Mode",
	EV_google_container_v1_WorkloadMetadataConfig_Mode, 3};
static const char *const EV_google_container_v1_NodePoolAutoscaling_LocationPolicy[] = {
	"LOCATION_POLICY_UNSPECIFIED", "BALANCED", "ANY"};
static const struct jschema_enum E_google_container_v1_NodePoolAutoscaling_LocationPolicy = {
	"google.container.v1.NodePoolAutoscaling.LocationPolicy",
	EV_google_container_v1_NodePoolAutoscaling_LocationPolicy, 3};
static const char *const EV_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig_Tier[] =
	{"TIER_UNSPECIFIED", "TIER_1"};
static const struct jschema_enum
	E_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig_Tier = {
		"google.container.v1.NodeNetworkConfig.NetworkPerformanceConfig.Tier",
		EV_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig_Tier, 2};
static const char *const EV_google_container_v1_NodePool_PlacementPolicy_Type[] = {
	"TYPE_UNSPECIFIED", "COMPACT"};
static const struct jschema_enum E_google_container_v1_NodePool_PlacementPolicy_Type = {
	"google.container.v1.NodePool.PlacementPolicy.Type",
	EV_google_container_v1_NodePool_PlacementPolicy_Type, 2};
static const char *const EV_google_container_v1_NodePool_Status[] = {
	"STATUS_UNSPECIFIED", "PROVISIONING", "RUNNING", "RUNNING_WITH_ERROR",
	"RECONCILING",	      "STOPPING",     "ERROR"};
static const struct jschema_enum E_google_container_v1_NodePool_Status = {
	"google.container.v1.NodePool.Status", EV_google_container_v1_NodePool_Status, 7};
static const char *const EV_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo_Phase[] = {
	"PHASE_UNSPECIFIED",  "UPDATE_STARTED",	   "CREATING_GREEN_POOL", "CORDONING_BLUE_POOL",
	"DRAINING_BLUE_POOL", "NODE_POOL_SOAKING", "DELETING_BLUE_POOL",  "ROLLBACK_STARTED"};
static const struct jschema_enum E_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo_Phase = {
	"google.container.v1.NodePool.UpdateInfo.BlueGreenInfo.Phase",
	EV_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo_Phase, 8};
static const char *const EV_google_container_v1_NotificationConfig_EventType[] = {
	"EVENT_TYPE_UNSPECIFIED", "UPGRADE_AVAILABLE_EVENT", "UPGRADE_EVENT",
	"SECURITY_BULLETIN_EVENT", "UPGRADE_INFO_EVENT"};
static const struct jschema_enum E_google_container_v1_NotificationConfig_EventType = {
	"google.container.v1.NotificationConfig.EventType",
	EV_google_container_v1_NotificationConfig_EventType, 5};
static const char *const EV_google_container_v1_PodAutoscaling_HPAProfile[] = {
	"HPA_PROFILE_UNSPECIFIED", "NONE", "PERFORMANCE"};
static const struct jschema_enum E_google_container_v1_PodAutoscaling_HPAProfile = {
	"google.container.v1.PodAutoscaling.HPAProfile",
	EV_google_container_v1_PodAutoscaling_HPAProfile, 3};
static const char *const EV_google_container_v1_ReleaseChannel_Channel[] = {
	"UNSPECIFIED", "RAPID", "REGULAR", "STABLE", "EXTENDED"};
static const struct jschema_enum E_google_container_v1_ReleaseChannel_Channel = {
	"google.container.v1.ReleaseChannel.Channel", EV_google_container_v1_ReleaseChannel_Channel,
	5};
static const char *const EV_google_container_v1_RuntimeVulnerabilityInsightConfig_Mode[] = {
	"MODE_UNSPECIFIED", "DISABLED", "PREMIUM_VULNERABILITY_SCAN"};
static const struct jschema_enum E_google_container_v1_RuntimeVulnerabilityInsightConfig_Mode = {
	"google.container.v1.RuntimeVulnerabilityInsightConfig.Mode",
	EV_google_container_v1_RuntimeVulnerabilityInsightConfig_Mode, 3};
static const char *const EV_google_container_v1_SecurityPostureConfig_Mode[] = {
	"MODE_UNSPECIFIED", "DISABLED", "BASIC", "ENTERPRISE"};
static const struct jschema_enum E_google_container_v1_SecurityPostureConfig_Mode = {
	"google.container.v1.SecurityPostureConfig.Mode",
	EV_google_container_v1_SecurityPostureConfig_Mode, 4};
static const char *const EV_google_container_v1_SecurityPostureConfig_VulnerabilityMode[] = {
	"VULNERABILITY_MODE_UNSPECIFIED", "VULNERABILITY_DISABLED", "VULNERABILITY_BASIC",
	"VULNERABILITY_ENTERPRISE"};
static const struct jschema_enum E_google_container_v1_SecurityPostureConfig_VulnerabilityMode = {
	"google.container.v1.SecurityPostureConfig.VulnerabilityMode",
	EV_google_container_v1_SecurityPostureConfig_VulnerabilityMode, 4};
static const char *const EV_google_container_v1_Cluster_Status[] = {
	"STATUS_UNSPECIFIED", "PROVISIONING", "RUNNING", "RECONCILING",
	"STOPPING",	      "ERROR",	      "DEGRADED"};
static const struct jschema_enum E_google_container_v1_Cluster_Status = {
	"google.container.v1.Cluster.Status", EV_google_container_v1_Cluster_Status, 7};
static const char *const EV_google_container_v1_SetMasterAuthRequest_Action[] = {
	"UNKNOWN", "SET_PASSWORD", "GENERATE_PASSWORD", "SET_USERNAME"};
static const struct jschema_enum E_google_container_v1_SetMasterAuthRequest_Action = {
	"google.container.v1.SetMasterAuthRequest.Action",
	EV_google_container_v1_SetMasterAuthRequest_Action, 4};
const struct jschema_msg jschema_crm_GetAncestryRequest = {
	"google.cloudresourcemanager.v1.GetAncestryRequest", NULL, 0};
static const struct jschema_field F_google_iam_v1_GetIamPolicyRequest[] = {
	{"options", "options", JS_MESSAGE, 0, &M_google_iam_v1_GetPolicyOptions, NULL, NULL},
};
const struct jschema_msg jschema_iam_GetIamPolicyRequest = {"google.iam.v1.GetIamPolicyRequest",
							    F_google_iam_v1_GetIamPolicyRequest, 1};
static const struct jschema_field F_google_iam_v1_GetPolicyOptions[] = {
	{"requested_policy_version", "requestedPolicyVersion", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_iam_v1_GetPolicyOptions = {
	"google.iam.v1.GetPolicyOptions", F_google_iam_v1_GetPolicyOptions, 1};
static const struct jschema_field F_google_iam_v1_SetIamPolicyRequest[] = {
	{"policy", "policy", JS_MESSAGE, 0, &M_google_iam_v1_Policy, NULL, NULL},
	{"update_mask", "updateMask", JS_WKT, 0, NULL, NULL, "google.protobuf.FieldMask"},
};
const struct jschema_msg jschema_iam_SetIamPolicyRequest = {"google.iam.v1.SetIamPolicyRequest",
							    F_google_iam_v1_SetIamPolicyRequest, 2};
static const struct jschema_field F_google_iam_v1_Policy[] = {
	{"audit_configs", "auditConfigs", JS_MESSAGE, JS_REPEATED, &M_google_iam_v1_AuditConfig,
	 NULL, NULL},
	{"bindings", "bindings", JS_MESSAGE, JS_REPEATED, &M_google_iam_v1_Binding, NULL, NULL},
	{"etag", "etag", JS_BYTES, 0, NULL, NULL, NULL},
	{"version", "version", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_iam_v1_Policy = {"google.iam.v1.Policy",
							  F_google_iam_v1_Policy, 4};
static const struct jschema_field F_google_iam_v1_AuditConfig[] = {
	{"audit_log_configs", "auditLogConfigs", JS_MESSAGE, JS_REPEATED,
	 &M_google_iam_v1_AuditLogConfig, NULL, NULL},
	{"service", "service", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_iam_v1_AuditConfig = {"google.iam.v1.AuditConfig",
							       F_google_iam_v1_AuditConfig, 2};
static const struct jschema_field F_google_iam_v1_AuditLogConfig[] = {
	{"exempted_members", "exemptedMembers", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"log_type", "logType", JS_ENUM, 0, NULL, &E_google_iam_v1_AuditLogConfig_LogType, NULL},
};
static const struct jschema_msg M_google_iam_v1_AuditLogConfig = {
	"google.iam.v1.AuditLogConfig", F_google_iam_v1_AuditLogConfig, 2};
static const struct jschema_field F_google_iam_v1_Binding[] = {
	{"condition", "condition", JS_MESSAGE, 0, &M_google_type_Expr, NULL, NULL},
	{"members", "members", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"role", "role", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_iam_v1_Binding = {"google.iam.v1.Binding",
							   F_google_iam_v1_Binding, 3};
static const struct jschema_field F_google_type_Expr[] = {
	{"description", "description", JS_STRING, 0, NULL, NULL, NULL},
	{"expression", "expression", JS_STRING, 0, NULL, NULL, NULL},
	{"location", "location", JS_STRING, 0, NULL, NULL, NULL},
	{"title", "title", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_type_Expr = {"google.type.Expr", F_google_type_Expr, 4};
static const struct jschema_field F_google_iam_v1_TestIamPermissionsRequest[] = {
	{"permissions", "permissions", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
const struct jschema_msg jschema_iam_TestIamPermissionsRequest = {
	"google.iam.v1.TestIamPermissionsRequest", F_google_iam_v1_TestIamPermissionsRequest, 1};
static const struct jschema_field F_google_iam_admin_v1_CreateServiceAccountRequest[] = {
	{"account_id", "accountId", JS_STRING, 0, NULL, NULL, NULL},
	{"service_account", "serviceAccount", JS_MESSAGE, 0, &jschema_iam_ServiceAccount, NULL,
	 NULL},
};
const struct jschema_msg jschema_iam_CreateServiceAccountRequest = {
	"google.iam.admin.v1.CreateServiceAccountRequest",
	F_google_iam_admin_v1_CreateServiceAccountRequest, 2};
static const struct jschema_field F_google_iam_admin_v1_ServiceAccount[] = {
	{"description", "description", JS_STRING, 0, NULL, NULL, NULL},
	{"disabled", "disabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"display_name", "displayName", JS_STRING, 0, NULL, NULL, NULL},
	{"email", "email", JS_STRING, 0, NULL, NULL, NULL},
	{"etag", "etag", JS_BYTES, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"oauth2_client_id", "oauth2ClientId", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"unique_id", "uniqueId", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_iam_ServiceAccount = {"google.iam.admin.v1.ServiceAccount",
						       F_google_iam_admin_v1_ServiceAccount, 9};
static const struct jschema_field F_google_iam_admin_v1_PatchServiceAccountRequest[] = {
	{"service_account", "serviceAccount", JS_MESSAGE, 0, &jschema_iam_ServiceAccount, NULL,
	 NULL},
	{"update_mask", "updateMask", JS_WKT, 0, NULL, NULL, "google.protobuf.FieldMask"},
};
const struct jschema_msg jschema_iam_PatchServiceAccountRequest = {
	"google.iam.admin.v1.PatchServiceAccountRequest",
	F_google_iam_admin_v1_PatchServiceAccountRequest, 2};
static const struct jschema_field F_google_iam_admin_v1_CreateServiceAccountKeyRequest[] = {
	{"key_algorithm", "keyAlgorithm", JS_ENUM, 0, NULL,
	 &E_google_iam_admin_v1_ServiceAccountKeyAlgorithm, NULL},
	{"private_key_type", "privateKeyType", JS_ENUM, 0, NULL,
	 &E_google_iam_admin_v1_ServiceAccountPrivateKeyType, NULL},
};
const struct jschema_msg jschema_iam_CreateServiceAccountKeyRequest = {
	"google.iam.admin.v1.CreateServiceAccountKeyRequest",
	F_google_iam_admin_v1_CreateServiceAccountKeyRequest, 2};
const struct jschema_msg jschema_iam_DisableServiceAccountRequest = {
	"google.iam.admin.v1.DisableServiceAccountRequest", NULL, 0};
const struct jschema_msg jschema_iam_EnableServiceAccountRequest = {
	"google.iam.admin.v1.EnableServiceAccountRequest", NULL, 0};
static const struct jschema_field F_google_iam_admin_v1_DisableServiceAccountKeyRequest[] = {
	{"extended_status_message", "extendedStatusMessage", JS_STRING, 0, NULL, NULL, NULL},
	{"service_account_key_disable_reason", "serviceAccountKeyDisableReason", JS_ENUM, 0, NULL,
	 &E_google_iam_admin_v1_DisableServiceAccountKeyRequest_ServiceAccountKeyDisableReason,
	 NULL},
};
const struct jschema_msg jschema_iam_DisableServiceAccountKeyRequest = {
	"google.iam.admin.v1.DisableServiceAccountKeyRequest",
	F_google_iam_admin_v1_DisableServiceAccountKeyRequest, 2};
const struct jschema_msg jschema_iam_EnableServiceAccountKeyRequest = {
	"google.iam.admin.v1.EnableServiceAccountKeyRequest", NULL, 0};
static const struct jschema_field F_google_iam_admin_v1_QueryGrantableRolesRequest[] = {
	{"full_resource_name", "fullResourceName", JS_STRING, 0, NULL, NULL, NULL},
	{"page_size", "pageSize", JS_INT32, 0, NULL, NULL, NULL},
	{"page_token", "pageToken", JS_STRING, 0, NULL, NULL, NULL},
	{"view", "view", JS_ENUM, 0, NULL, &E_google_iam_admin_v1_RoleView, NULL},
};
const struct jschema_msg jschema_iam_QueryGrantableRolesRequest = {
	"google.iam.admin.v1.QueryGrantableRolesRequest",
	F_google_iam_admin_v1_QueryGrantableRolesRequest, 4};
static const struct jschema_field F_google_iam_credentials_v1_GenerateAccessTokenRequest[] = {
	{"delegates", "delegates", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"lifetime", "lifetime", JS_WKT, 0, NULL, NULL, "google.protobuf.Duration"},
	{"scope", "scope", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
const struct jschema_msg jschema_iamcredentials_GenerateAccessTokenRequest = {
	"google.iam.credentials.v1.GenerateAccessTokenRequest",
	F_google_iam_credentials_v1_GenerateAccessTokenRequest, 3};
static const struct jschema_field F_google_iam_credentials_v1_GenerateIdTokenRequest[] = {
	{"audience", "audience", JS_STRING, 0, NULL, NULL, NULL},
	{"delegates", "delegates", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"include_email", "includeEmail", JS_BOOL, 0, NULL, NULL, NULL},
	{"organization_number_included", "organizationNumberIncluded", JS_BOOL, 0, NULL, NULL,
	 NULL},
};
const struct jschema_msg jschema_iamcredentials_GenerateIdTokenRequest = {
	"google.iam.credentials.v1.GenerateIdTokenRequest",
	F_google_iam_credentials_v1_GenerateIdTokenRequest, 4};
static const struct jschema_field F_google_iam_credentials_v1_SignBlobRequest[] = {
	{"delegates", "delegates", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"payload", "payload", JS_BYTES, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_iamcredentials_SignBlobRequest = {
	"google.iam.credentials.v1.SignBlobRequest", F_google_iam_credentials_v1_SignBlobRequest,
	2};
static const struct jschema_field F_google_iam_credentials_v1_SignJwtRequest[] = {
	{"delegates", "delegates", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"payload", "payload", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_iamcredentials_SignJwtRequest = {
	"google.iam.credentials.v1.SignJwtRequest", F_google_iam_credentials_v1_SignJwtRequest, 2};
const struct jschema_msg jschema_serviceusage_EnableServiceRequest = {
	"google.api.serviceusage.v1.EnableServiceRequest", NULL, 0};
static const struct jschema_field F_google_api_serviceusage_v1_DisableServiceRequest[] = {
	{"check_if_service_has_usage", "checkIfServiceHasUsage", JS_ENUM, 0, NULL,
	 &E_google_api_serviceusage_v1_DisableServiceRequest_CheckIfServiceHasUsage, NULL},
	{"disable_dependent_services", "disableDependentServices", JS_BOOL, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_serviceusage_DisableServiceRequest = {
	"google.api.serviceusage.v1.DisableServiceRequest",
	F_google_api_serviceusage_v1_DisableServiceRequest, 2};
static const struct jschema_field F_google_api_serviceusage_v1_BatchEnableServicesRequest[] = {
	{"service_ids", "serviceIds", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
const struct jschema_msg jschema_serviceusage_BatchEnableServicesRequest = {
	"google.api.serviceusage.v1.BatchEnableServicesRequest",
	F_google_api_serviceusage_v1_BatchEnableServicesRequest, 1};
static const struct jschema_field F_google_container_v1_CreateClusterRequest[] = {
	{"cluster", "cluster", JS_MESSAGE, 0, &M_google_container_v1_Cluster, NULL, NULL},
	{"parent", "parent", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_CreateClusterRequest = {
	"google.container.v1.CreateClusterRequest", F_google_container_v1_CreateClusterRequest, 4};
static const struct jschema_field F_google_container_v1_Cluster[] = {
	{"addons_config", "addonsConfig", JS_MESSAGE, 0, &M_google_container_v1_AddonsConfig, NULL,
	 NULL},
	{"alpha_cluster_feature_gates", "alphaClusterFeatureGates", JS_STRING, JS_REPEATED, NULL,
	 NULL, NULL},
	{"anonymous_authentication_config", "anonymousAuthenticationConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AnonymousAuthenticationConfig, NULL, NULL},
	{"authenticator_groups_config", "authenticatorGroupsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AuthenticatorGroupsConfig, NULL, NULL},
	{"autopilot", "autopilot", JS_MESSAGE, 0, &M_google_container_v1_Autopilot, NULL, NULL},
	{"autoscaling", "autoscaling", JS_MESSAGE, 0, &M_google_container_v1_ClusterAutoscaling,
	 NULL, NULL},
	{"binary_authorization", "binaryAuthorization", JS_MESSAGE, 0,
	 &M_google_container_v1_BinaryAuthorization, NULL, NULL},
	{"cluster_ipv4_cidr", "clusterIpv4Cidr", JS_STRING, 0, NULL, NULL, NULL},
	{"compliance_posture_config", "compliancePostureConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_CompliancePostureConfig, NULL, NULL},
	{"concurrent_ops_config", "concurrentOpsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ConcurrentOpsConfig, NULL, NULL},
	{"conditions", "conditions", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_StatusCondition, NULL, NULL},
	{"confidential_nodes", "confidentialNodes", JS_MESSAGE, 0,
	 &M_google_container_v1_ConfidentialNodes, NULL, NULL},
	{"control_plane_endpoints_config", "controlPlaneEndpointsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ControlPlaneEndpointsConfig, NULL, NULL},
	{"cost_management_config", "costManagementConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_CostManagementConfig, NULL, NULL},
	{"create_time", "createTime", JS_STRING, 0, NULL, NULL, NULL},
	{"current_master_version", "currentMasterVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"current_node_count", "currentNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"current_node_version", "currentNodeVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"database_encryption", "databaseEncryption", JS_MESSAGE, 0,
	 &M_google_container_v1_DatabaseEncryption, NULL, NULL},
	{"default_max_pods_constraint", "defaultMaxPodsConstraint", JS_MESSAGE, 0,
	 &M_google_container_v1_MaxPodsConstraint, NULL, NULL},
	{"description", "description", JS_STRING, 0, NULL, NULL, NULL},
	{"enable_k8s_beta_apis", "enableK8sBetaApis", JS_MESSAGE, 0,
	 &M_google_container_v1_K8sBetaAPIConfig, NULL, NULL},
	{"enable_kubernetes_alpha", "enableKubernetesAlpha", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_tpu", "enableTpu", JS_BOOL, 0, NULL, NULL, NULL},
	{"endpoint", "endpoint", JS_STRING, 0, NULL, NULL, NULL},
	{"enterprise_config", "enterpriseConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_EnterpriseConfig, NULL, NULL},
	{"etag", "etag", JS_STRING, 0, NULL, NULL, NULL},
	{"expire_time", "expireTime", JS_STRING, 0, NULL, NULL, NULL},
	{"fleet", "fleet", JS_MESSAGE, 0, &M_google_container_v1_Fleet, NULL, NULL},
	{"gke_auto_upgrade_config", "gkeAutoUpgradeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GkeAutoUpgradeConfig, NULL, NULL},
	{"id", "id", JS_STRING, 0, NULL, NULL, NULL},
	{"identity_service_config", "identityServiceConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_IdentityServiceConfig, NULL, NULL},
	{"initial_cluster_version", "initialClusterVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"initial_node_count", "initialNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"instance_group_urls", "instanceGroupUrls", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"ip_allocation_policy", "ipAllocationPolicy", JS_MESSAGE, 0,
	 &M_google_container_v1_IPAllocationPolicy, NULL, NULL},
	{"label_fingerprint", "labelFingerprint", JS_STRING, 0, NULL, NULL, NULL},
	{"legacy_abac", "legacyAbac", JS_MESSAGE, 0, &M_google_container_v1_LegacyAbac, NULL, NULL},
	{"location", "location", JS_STRING, 0, NULL, NULL, NULL},
	{"locations", "locations", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"logging_config", "loggingConfig", JS_MESSAGE, 0, &M_google_container_v1_LoggingConfig,
	 NULL, NULL},
	{"logging_service", "loggingService", JS_STRING, 0, NULL, NULL, NULL},
	{"maintenance_policy", "maintenancePolicy", JS_MESSAGE, 0,
	 &M_google_container_v1_MaintenancePolicy, NULL, NULL},
	{"managed_config", "managedConfig", JS_MESSAGE, 0, &M_google_container_v1_ManagedConfig,
	 NULL, NULL},
	{"master_auth", "masterAuth", JS_MESSAGE, 0, &M_google_container_v1_MasterAuth, NULL, NULL},
	{"master_authorized_networks_config", "masterAuthorizedNetworksConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_MasterAuthorizedNetworksConfig, NULL, NULL},
	{"mesh_certificates", "meshCertificates", JS_MESSAGE, 0,
	 &M_google_container_v1_MeshCertificates, NULL, NULL},
	{"monitoring_config", "monitoringConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_MonitoringConfig, NULL, NULL},
	{"monitoring_service", "monitoringService", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"network", "network", JS_STRING, 0, NULL, NULL, NULL},
	{"network_config", "networkConfig", JS_MESSAGE, 0, &M_google_container_v1_NetworkConfig,
	 NULL, NULL},
	{"network_policy", "networkPolicy", JS_MESSAGE, 0, &M_google_container_v1_NetworkPolicy,
	 NULL, NULL},
	{"node_config", "nodeConfig", JS_MESSAGE, 0, &M_google_container_v1_NodeConfig, NULL, NULL},
	{"node_ipv4_cidr_size", "nodeIpv4CidrSize", JS_INT32, 0, NULL, NULL, NULL},
	{"node_pool_auto_config", "nodePoolAutoConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePoolAutoConfig, NULL, NULL},
	{"node_pool_defaults", "nodePoolDefaults", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePoolDefaults, NULL, NULL},
	{"node_pools", "nodePools", JS_MESSAGE, JS_REPEATED, &M_google_container_v1_NodePool, NULL,
	 NULL},
	{"notification_config", "notificationConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NotificationConfig, NULL, NULL},
	{"parent_product_config", "parentProductConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ParentProductConfig, NULL, NULL},
	{"pod_autoscaling", "podAutoscaling", JS_MESSAGE, 0, &M_google_container_v1_PodAutoscaling,
	 NULL, NULL},
	{"private_cluster_config", "privateClusterConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_PrivateClusterConfig, NULL, NULL},
	{"rbac_binding_config", "rbacBindingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RBACBindingConfig, NULL, NULL},
	{"release_channel", "releaseChannel", JS_MESSAGE, 0, &M_google_container_v1_ReleaseChannel,
	 NULL, NULL},
	{"resource_labels", "resourceLabels", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.Cluster.ResourceLabelsEntry"},
	{"resource_usage_export_config", "resourceUsageExportConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceUsageExportConfig, NULL, NULL},
	{"runtime_vulnerability_insight_config", "runtimeVulnerabilityInsightConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RuntimeVulnerabilityInsightConfig, NULL, NULL},
	{"satisfies_pzi", "satisfiesPzi", JS_BOOL, 0, NULL, NULL, NULL},
	{"satisfies_pzs", "satisfiesPzs", JS_BOOL, 0, NULL, NULL, NULL},
	{"secret_manager_config", "secretManagerConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_SecretManagerConfig, NULL, NULL},
	{"security_posture_config", "securityPostureConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_SecurityPostureConfig, NULL, NULL},
	{"self_link", "selfLink", JS_STRING, 0, NULL, NULL, NULL},
	{"services_ipv4_cidr", "servicesIpv4Cidr", JS_STRING, 0, NULL, NULL, NULL},
	{"shielded_nodes", "shieldedNodes", JS_MESSAGE, 0, &M_google_container_v1_ShieldedNodes,
	 NULL, NULL},
	{"status", "status", JS_ENUM, 0, NULL, &E_google_container_v1_Cluster_Status, NULL},
	{"status_message", "statusMessage", JS_STRING, 0, NULL, NULL, NULL},
	{"subnetwork", "subnetwork", JS_STRING, 0, NULL, NULL, NULL},
	{"tags", "tags", JS_STRING, JS_MAP, NULL, NULL, "google.container.v1.Cluster.TagsEntry"},
	{"tpu_ipv4_cidr_block", "tpuIpv4CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"user_managed_keys_config", "userManagedKeysConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_UserManagedKeysConfig, NULL, NULL},
	{"vertical_pod_autoscaling", "verticalPodAutoscaling", JS_MESSAGE, 0,
	 &M_google_container_v1_VerticalPodAutoscaling, NULL, NULL},
	{"workload_identity_config", "workloadIdentityConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_WorkloadIdentityConfig, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_Cluster = {"google.container.v1.Cluster",
								 F_google_container_v1_Cluster, 83};
static const struct jschema_field F_google_container_v1_AddonsConfig[] = {
	{"cloud_run_config", "cloudRunConfig", JS_MESSAGE, 0, &M_google_container_v1_CloudRunConfig,
	 NULL, NULL},
	{"config_connector_config", "configConnectorConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ConfigConnectorConfig, NULL, NULL},
	{"dns_cache_config", "dnsCacheConfig", JS_MESSAGE, 0, &M_google_container_v1_DnsCacheConfig,
	 NULL, NULL},
	{"gce_persistent_disk_csi_driver_config", "gcePersistentDiskCsiDriverConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GcePersistentDiskCsiDriverConfig, NULL, NULL},
	{"gcp_filestore_csi_driver_config", "gcpFilestoreCsiDriverConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GcpFilestoreCsiDriverConfig, NULL, NULL},
	{"gcs_fuse_csi_driver_config", "gcsFuseCsiDriverConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GcsFuseCsiDriverConfig, NULL, NULL},
	{"gke_backup_agent_config", "gkeBackupAgentConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GkeBackupAgentConfig, NULL, NULL},
	{"high_scale_checkpointing_config", "highScaleCheckpointingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_HighScaleCheckpointingConfig, NULL, NULL},
	{"horizontal_pod_autoscaling", "horizontalPodAutoscaling", JS_MESSAGE, 0,
	 &M_google_container_v1_HorizontalPodAutoscaling, NULL, NULL},
	{"http_load_balancing", "httpLoadBalancing", JS_MESSAGE, 0,
	 &M_google_container_v1_HttpLoadBalancing, NULL, NULL},
	{"kubernetes_dashboard", "kubernetesDashboard", JS_MESSAGE, 0,
	 &M_google_container_v1_KubernetesDashboard, NULL, NULL},
	{"lustre_csi_driver_config", "lustreCsiDriverConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LustreCsiDriverConfig, NULL, NULL},
	{"network_policy_config", "networkPolicyConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NetworkPolicyConfig, NULL, NULL},
	{"parallelstore_csi_driver_config", "parallelstoreCsiDriverConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ParallelstoreCsiDriverConfig, NULL, NULL},
	{"ray_config", "rayConfig", JS_MESSAGE, 0, &M_google_container_v1_RayConfig, NULL, NULL},
	{"ray_operator_config", "rayOperatorConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RayOperatorConfig, NULL, NULL},
	{"stateful_ha_config", "statefulHaConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_StatefulHAConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AddonsConfig = {
	"google.container.v1.AddonsConfig", F_google_container_v1_AddonsConfig, 17};
static const struct jschema_field F_google_container_v1_CloudRunConfig[] = {
	{"disabled", "disabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"load_balancer_type", "loadBalancerType", JS_ENUM, 0, NULL,
	 &E_google_container_v1_CloudRunConfig_LoadBalancerType, NULL},
};
static const struct jschema_msg M_google_container_v1_CloudRunConfig = {
	"google.container.v1.CloudRunConfig", F_google_container_v1_CloudRunConfig, 2};
static const struct jschema_field F_google_container_v1_ConfigConnectorConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ConfigConnectorConfig = {
	"google.container.v1.ConfigConnectorConfig", F_google_container_v1_ConfigConnectorConfig,
	1};
static const struct jschema_field F_google_container_v1_DnsCacheConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_DnsCacheConfig = {
	"google.container.v1.DnsCacheConfig", F_google_container_v1_DnsCacheConfig, 1};
static const struct jschema_field F_google_container_v1_GcePersistentDiskCsiDriverConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_GcePersistentDiskCsiDriverConfig = {
	"google.container.v1.GcePersistentDiskCsiDriverConfig",
	F_google_container_v1_GcePersistentDiskCsiDriverConfig, 1};
static const struct jschema_field F_google_container_v1_GcpFilestoreCsiDriverConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_GcpFilestoreCsiDriverConfig = {
	"google.container.v1.GcpFilestoreCsiDriverConfig",
	F_google_container_v1_GcpFilestoreCsiDriverConfig, 1};
static const struct jschema_field F_google_container_v1_GcsFuseCsiDriverConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_GcsFuseCsiDriverConfig = {
	"google.container.v1.GcsFuseCsiDriverConfig", F_google_container_v1_GcsFuseCsiDriverConfig,
	1};
static const struct jschema_field F_google_container_v1_GkeBackupAgentConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_GkeBackupAgentConfig = {
	"google.container.v1.GkeBackupAgentConfig", F_google_container_v1_GkeBackupAgentConfig, 1};
static const struct jschema_field F_google_container_v1_HighScaleCheckpointingConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_HighScaleCheckpointingConfig = {
	"google.container.v1.HighScaleCheckpointingConfig",
	F_google_container_v1_HighScaleCheckpointingConfig, 1};
static const struct jschema_field F_google_container_v1_HorizontalPodAutoscaling[] = {
	{"disabled", "disabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_HorizontalPodAutoscaling = {
	"google.container.v1.HorizontalPodAutoscaling",
	F_google_container_v1_HorizontalPodAutoscaling, 1};
static const struct jschema_field F_google_container_v1_HttpLoadBalancing[] = {
	{"disabled", "disabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_HttpLoadBalancing = {
	"google.container.v1.HttpLoadBalancing", F_google_container_v1_HttpLoadBalancing, 1};
static const struct jschema_field F_google_container_v1_KubernetesDashboard[] = {
	{"disabled", "disabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_KubernetesDashboard = {
	"google.container.v1.KubernetesDashboard", F_google_container_v1_KubernetesDashboard, 1};
static const struct jschema_field F_google_container_v1_LustreCsiDriverConfig[] = {
	{"enable_legacy_lustre_port", "enableLegacyLustrePort", JS_BOOL, 0, NULL, NULL, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_LustreCsiDriverConfig = {
	"google.container.v1.LustreCsiDriverConfig", F_google_container_v1_LustreCsiDriverConfig,
	2};
static const struct jschema_field F_google_container_v1_NetworkPolicyConfig[] = {
	{"disabled", "disabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NetworkPolicyConfig = {
	"google.container.v1.NetworkPolicyConfig", F_google_container_v1_NetworkPolicyConfig, 1};
static const struct jschema_field F_google_container_v1_ParallelstoreCsiDriverConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ParallelstoreCsiDriverConfig = {
	"google.container.v1.ParallelstoreCsiDriverConfig",
	F_google_container_v1_ParallelstoreCsiDriverConfig, 1};
static const struct jschema_field F_google_container_v1_RayConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RayConfig = {
	"google.container.v1.RayConfig", F_google_container_v1_RayConfig, 1};
static const struct jschema_field F_google_container_v1_RayOperatorConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"ray_cluster_logging_config", "rayClusterLoggingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RayClusterLoggingConfig, NULL, NULL},
	{"ray_cluster_monitoring_config", "rayClusterMonitoringConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RayClusterMonitoringConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RayOperatorConfig = {
	"google.container.v1.RayOperatorConfig", F_google_container_v1_RayOperatorConfig, 3};
static const struct jschema_field F_google_container_v1_RayClusterLoggingConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RayClusterLoggingConfig = {
	"google.container.v1.RayClusterLoggingConfig",
	F_google_container_v1_RayClusterLoggingConfig, 1};
static const struct jschema_field F_google_container_v1_RayClusterMonitoringConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RayClusterMonitoringConfig = {
	"google.container.v1.RayClusterMonitoringConfig",
	F_google_container_v1_RayClusterMonitoringConfig, 1};
static const struct jschema_field F_google_container_v1_StatefulHAConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_StatefulHAConfig = {
	"google.container.v1.StatefulHAConfig", F_google_container_v1_StatefulHAConfig, 1};
static const struct jschema_field F_google_container_v1_AnonymousAuthenticationConfig[] = {
	{"mode", "mode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_AnonymousAuthenticationConfig_Mode, NULL},
};
static const struct jschema_msg M_google_container_v1_AnonymousAuthenticationConfig = {
	"google.container.v1.AnonymousAuthenticationConfig",
	F_google_container_v1_AnonymousAuthenticationConfig, 1};
static const struct jschema_field F_google_container_v1_AuthenticatorGroupsConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"security_group", "securityGroup", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AuthenticatorGroupsConfig = {
	"google.container.v1.AuthenticatorGroupsConfig",
	F_google_container_v1_AuthenticatorGroupsConfig, 2};
static const struct jschema_field F_google_container_v1_Autopilot[] = {
	{"conversion_status", "conversionStatus", JS_MESSAGE, 0,
	 &M_google_container_v1_AutopilotConversionStatus, NULL, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"workload_policy_config", "workloadPolicyConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_WorkloadPolicyConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_Autopilot = {
	"google.container.v1.Autopilot", F_google_container_v1_Autopilot, 3};
static const struct jschema_field F_google_container_v1_AutopilotConversionStatus[] = {
	{"auto_commit_time", "autoCommitTime", JS_STRING, 0, NULL, NULL, NULL},
	{"autopilot_node_count", "autopilotNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"standard_node_count", "standardNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"state", "state", JS_ENUM, 0, NULL, &E_google_container_v1_AutopilotConversionStatus_State,
	 NULL},
	{"type", "type", JS_ENUM, 0, NULL, &E_google_container_v1_AutopilotConversionStatus_Type,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_AutopilotConversionStatus = {
	"google.container.v1.AutopilotConversionStatus",
	F_google_container_v1_AutopilotConversionStatus, 5};
static const struct jschema_field F_google_container_v1_WorkloadPolicyConfig[] = {
	{"allow_net_admin", "allowNetAdmin", JS_BOOL, 0, NULL, NULL, NULL},
	{"autopilot_compatibility_auditing_enabled", "autopilotCompatibilityAuditingEnabled",
	 JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_WorkloadPolicyConfig = {
	"google.container.v1.WorkloadPolicyConfig", F_google_container_v1_WorkloadPolicyConfig, 2};
static const struct jschema_field F_google_container_v1_ClusterAutoscaling[] = {
	{"autoprovisioning_locations", "autoprovisioningLocations", JS_STRING, JS_REPEATED, NULL,
	 NULL, NULL},
	{"autoprovisioning_node_pool_defaults", "autoprovisioningNodePoolDefaults", JS_MESSAGE, 0,
	 &M_google_container_v1_AutoprovisioningNodePoolDefaults, NULL, NULL},
	{"autoscaling_profile", "autoscalingProfile", JS_ENUM, 0, NULL,
	 &E_google_container_v1_ClusterAutoscaling_AutoscalingProfile, NULL},
	{"default_compute_class_config", "defaultComputeClassConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_DefaultComputeClassConfig, NULL, NULL},
	{"enable_node_autoprovisioning", "enableNodeAutoprovisioning", JS_BOOL, 0, NULL, NULL,
	 NULL},
	{"resource_limits", "resourceLimits", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_ResourceLimit, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ClusterAutoscaling = {
	"google.container.v1.ClusterAutoscaling", F_google_container_v1_ClusterAutoscaling, 6};
static const struct jschema_field F_google_container_v1_AutoprovisioningNodePoolDefaults[] = {
	{"boot_disk_kms_key", "bootDiskKmsKey", JS_STRING, 0, NULL, NULL, NULL},
	{"disk_size_gb", "diskSizeGb", JS_INT32, 0, NULL, NULL, NULL},
	{"disk_type", "diskType", JS_STRING, 0, NULL, NULL, NULL},
	{"image_type", "imageType", JS_STRING, 0, NULL, NULL, NULL},
	{"insecure_kubelet_readonly_port_enabled", "insecureKubeletReadonlyPortEnabled", JS_BOOL, 0,
	 NULL, NULL, NULL},
	{"management", "management", JS_MESSAGE, 0, &M_google_container_v1_NodeManagement, NULL,
	 NULL},
	{"min_cpu_platform", "minCpuPlatform", JS_STRING, 0, NULL, NULL, NULL},
	{"oauth_scopes", "oauthScopes", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"service_account", "serviceAccount", JS_STRING, 0, NULL, NULL, NULL},
	{"shielded_instance_config", "shieldedInstanceConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ShieldedInstanceConfig, NULL, NULL},
	{"upgrade_settings", "upgradeSettings", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_UpgradeSettings, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AutoprovisioningNodePoolDefaults = {
	"google.container.v1.AutoprovisioningNodePoolDefaults",
	F_google_container_v1_AutoprovisioningNodePoolDefaults, 11};
static const struct jschema_field F_google_container_v1_NodeManagement[] = {
	{"auto_repair", "autoRepair", JS_BOOL, 0, NULL, NULL, NULL},
	{"auto_upgrade", "autoUpgrade", JS_BOOL, 0, NULL, NULL, NULL},
	{"upgrade_options", "upgradeOptions", JS_MESSAGE, 0,
	 &M_google_container_v1_AutoUpgradeOptions, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeManagement = {
	"google.container.v1.NodeManagement", F_google_container_v1_NodeManagement, 3};
static const struct jschema_field F_google_container_v1_AutoUpgradeOptions[] = {
	{"auto_upgrade_start_time", "autoUpgradeStartTime", JS_STRING, 0, NULL, NULL, NULL},
	{"description", "description", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AutoUpgradeOptions = {
	"google.container.v1.AutoUpgradeOptions", F_google_container_v1_AutoUpgradeOptions, 2};
static const struct jschema_field F_google_container_v1_ShieldedInstanceConfig[] = {
	{"enable_integrity_monitoring", "enableIntegrityMonitoring", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_secure_boot", "enableSecureBoot", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ShieldedInstanceConfig = {
	"google.container.v1.ShieldedInstanceConfig", F_google_container_v1_ShieldedInstanceConfig,
	2};
static const struct jschema_field F_google_container_v1_NodePool_UpgradeSettings[] = {
	{"blue_green_settings", "blueGreenSettings", JS_MESSAGE, 0,
	 &M_google_container_v1_BlueGreenSettings, NULL, NULL},
	{"max_surge", "maxSurge", JS_INT32, 0, NULL, NULL, NULL},
	{"max_unavailable", "maxUnavailable", JS_INT32, 0, NULL, NULL, NULL},
	{"rolling_settings", "rollingSettings", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_RollingSettings, NULL, NULL},
	{"strategy", "strategy", JS_ENUM, 0, NULL, &E_google_container_v1_NodePoolUpdateStrategy,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_NodePool_UpgradeSettings = {
	"google.container.v1.NodePool.UpgradeSettings",
	F_google_container_v1_NodePool_UpgradeSettings, 5};
static const struct jschema_field F_google_container_v1_BlueGreenSettings[] = {
	{"node_pool_soak_duration", "nodePoolSoakDuration", JS_WKT, 0, NULL, NULL,
	 "google.protobuf.Duration"},
	{"standard_rollout_policy", "standardRolloutPolicy", JS_MESSAGE, 0,
	 &M_google_container_v1_BlueGreenSettings_StandardRolloutPolicy, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_BlueGreenSettings = {
	"google.container.v1.BlueGreenSettings", F_google_container_v1_BlueGreenSettings, 2};
static const struct jschema_field F_google_container_v1_BlueGreenSettings_StandardRolloutPolicy[] =
	{
		{"batch_node_count", "batchNodeCount", JS_INT32, 0, NULL, NULL, NULL},
		{"batch_percentage", "batchPercentage", JS_FLOAT, 0, NULL, NULL, NULL},
		{"batch_soak_duration", "batchSoakDuration", JS_WKT, 0, NULL, NULL,
		 "google.protobuf.Duration"},
};
static const struct jschema_msg M_google_container_v1_BlueGreenSettings_StandardRolloutPolicy = {
	"google.container.v1.BlueGreenSettings.StandardRolloutPolicy",
	F_google_container_v1_BlueGreenSettings_StandardRolloutPolicy, 3};
static const struct jschema_field F_google_container_v1_NodePool_RollingSettings[] = {
	{"max_surge_percentage", "maxSurgePercentage", JS_INT32, 0, NULL, NULL, NULL},
	{"max_unavailable_percentage", "maxUnavailablePercentage", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePool_RollingSettings = {
	"google.container.v1.NodePool.RollingSettings",
	F_google_container_v1_NodePool_RollingSettings, 2};
static const struct jschema_field F_google_container_v1_DefaultComputeClassConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_DefaultComputeClassConfig = {
	"google.container.v1.DefaultComputeClassConfig",
	F_google_container_v1_DefaultComputeClassConfig, 1};
static const struct jschema_field F_google_container_v1_ResourceLimit[] = {
	{"maximum", "maximum", JS_INT64, 0, NULL, NULL, NULL},
	{"minimum", "minimum", JS_INT64, 0, NULL, NULL, NULL},
	{"resource_type", "resourceType", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ResourceLimit = {
	"google.container.v1.ResourceLimit", F_google_container_v1_ResourceLimit, 3};
static const struct jschema_field F_google_container_v1_BinaryAuthorization[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"evaluation_mode", "evaluationMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_BinaryAuthorization_EvaluationMode, NULL},
	{"policy_bindings", "policyBindings", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_PolicyBinding, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_BinaryAuthorization = {
	"google.container.v1.BinaryAuthorization", F_google_container_v1_BinaryAuthorization, 3};
static const struct jschema_field F_google_container_v1_PolicyBinding[] = {
	{"enforcement_mode", "enforcementMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_PolicyBinding_EnforcementMode, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_PolicyBinding = {
	"google.container.v1.PolicyBinding", F_google_container_v1_PolicyBinding, 2};
static const struct jschema_field F_google_container_v1_CompliancePostureConfig[] = {
	{"compliance_standards", "complianceStandards", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_CompliancePostureConfig_ComplianceStandard, NULL, NULL},
	{"mode", "mode", JS_ENUM, 0, NULL, &E_google_container_v1_CompliancePostureConfig_Mode,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_CompliancePostureConfig = {
	"google.container.v1.CompliancePostureConfig",
	F_google_container_v1_CompliancePostureConfig, 2};
static const struct jschema_field
	F_google_container_v1_CompliancePostureConfig_ComplianceStandard[] = {
		{"standard", "standard", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_CompliancePostureConfig_ComplianceStandard = {
	"google.container.v1.CompliancePostureConfig.ComplianceStandard",
	F_google_container_v1_CompliancePostureConfig_ComplianceStandard, 1};
static const struct jschema_field F_google_container_v1_ConcurrentOpsConfig[] = {
	{"enable_concurrent_create_node_pool", "enableConcurrentCreateNodePool", JS_BOOL, 0, NULL,
	 NULL, NULL},
	{"enable_concurrent_delete_node_pool", "enableConcurrentDeleteNodePool", JS_BOOL, 0, NULL,
	 NULL, NULL},
	{"enable_concurrent_resize_node_pool", "enableConcurrentResizeNodePool", JS_BOOL, 0, NULL,
	 NULL, NULL},
	{"enable_concurrent_rollback_node_pool", "enableConcurrentRollbackNodePool", JS_BOOL, 0,
	 NULL, NULL, NULL},
	{"enable_concurrent_update_node_pool_version", "enableConcurrentUpdateNodePoolVersion",
	 JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ConcurrentOpsConfig = {
	"google.container.v1.ConcurrentOpsConfig", F_google_container_v1_ConcurrentOpsConfig, 5};
static const struct jschema_field F_google_container_v1_StatusCondition[] = {
	{"canonical_code", "canonicalCode", JS_ENUM, 0, NULL, &E_google_rpc_Code, NULL},
	{"code", "code", JS_ENUM, 0, NULL, &E_google_container_v1_StatusCondition_Code, NULL},
	{"message", "message", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_StatusCondition = {
	"google.container.v1.StatusCondition", F_google_container_v1_StatusCondition, 3};
static const struct jschema_field F_google_container_v1_ConfidentialNodes[] = {
	{"confidential_instance_type", "confidentialInstanceType", JS_ENUM, 0, NULL,
	 &E_google_container_v1_ConfidentialNodes_ConfidentialInstanceType, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ConfidentialNodes = {
	"google.container.v1.ConfidentialNodes", F_google_container_v1_ConfidentialNodes, 2};
static const struct jschema_field F_google_container_v1_ControlPlaneEndpointsConfig[] = {
	{"dns_endpoint_config", "dnsEndpointConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ControlPlaneEndpointsConfig_DNSEndpointConfig, NULL, NULL},
	{"ip_endpoints_config", "ipEndpointsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ControlPlaneEndpointsConfig_IPEndpointsConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ControlPlaneEndpointsConfig = {
	"google.container.v1.ControlPlaneEndpointsConfig",
	F_google_container_v1_ControlPlaneEndpointsConfig, 2};
static const struct jschema_field
	F_google_container_v1_ControlPlaneEndpointsConfig_DNSEndpointConfig[] = {
		{"allow_external_traffic", "allowExternalTraffic", JS_BOOL, 0, NULL, NULL, NULL},
		{"dns_aliases", "dnsAliases", JS_MESSAGE, JS_REPEATED,
		 &M_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias, NULL, NULL},
		{"enable_k8s_certs_via_dns", "enableK8sCertsViaDns", JS_BOOL, 0, NULL, NULL, NULL},
		{"enable_k8s_tokens_via_dns", "enableK8sTokensViaDns", JS_BOOL, 0, NULL, NULL,
		 NULL},
		{"endpoint", "endpoint", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg
	M_google_container_v1_ControlPlaneEndpointsConfig_DNSEndpointConfig = {
		"google.container.v1.ControlPlaneEndpointsConfig.DNSEndpointConfig",
		F_google_container_v1_ControlPlaneEndpointsConfig_DNSEndpointConfig, 5};
static const struct jschema_field F_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias[] = {
	{"hostname", "hostname", JS_STRING, 0, NULL, NULL, NULL},
	{"permission_resource", "permissionResource", JS_STRING, 0, NULL, NULL, NULL},
	{"type", "type", JS_ENUM, 0, NULL,
	 &E_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias_Type, NULL},
};
static const struct jschema_msg M_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias = {
	"google.container.v1.ControlPlaneEndpointsConfig.DNSAlias",
	F_google_container_v1_ControlPlaneEndpointsConfig_DNSAlias, 3};
static const struct jschema_field
	F_google_container_v1_ControlPlaneEndpointsConfig_IPEndpointsConfig[] = {
		{"authorized_networks_config", "authorizedNetworksConfig", JS_MESSAGE, 0,
		 &M_google_container_v1_MasterAuthorizedNetworksConfig, NULL, NULL},
		{"enable_public_endpoint", "enablePublicEndpoint", JS_BOOL, 0, NULL, NULL, NULL},
		{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
		{"global_access", "globalAccess", JS_BOOL, 0, NULL, NULL, NULL},
		{"private_endpoint", "privateEndpoint", JS_STRING, 0, NULL, NULL, NULL},
		{"private_endpoint_subnetwork", "privateEndpointSubnetwork", JS_STRING, 0, NULL,
		 NULL, NULL},
		{"public_endpoint", "publicEndpoint", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg
	M_google_container_v1_ControlPlaneEndpointsConfig_IPEndpointsConfig = {
		"google.container.v1.ControlPlaneEndpointsConfig.IPEndpointsConfig",
		F_google_container_v1_ControlPlaneEndpointsConfig_IPEndpointsConfig, 7};
static const struct jschema_field F_google_container_v1_MasterAuthorizedNetworksConfig[] = {
	{"cidr_blocks", "cidrBlocks", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_MasterAuthorizedNetworksConfig_CidrBlock, NULL, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"gcp_public_cidrs_access_enabled", "gcpPublicCidrsAccessEnabled", JS_BOOL, 0, NULL, NULL,
	 NULL},
	{"private_endpoint_enforcement_enabled", "privateEndpointEnforcementEnabled", JS_BOOL, 0,
	 NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MasterAuthorizedNetworksConfig = {
	"google.container.v1.MasterAuthorizedNetworksConfig",
	F_google_container_v1_MasterAuthorizedNetworksConfig, 4};
static const struct jschema_field F_google_container_v1_MasterAuthorizedNetworksConfig_CidrBlock[] =
	{
		{"cidr_block", "cidrBlock", JS_STRING, 0, NULL, NULL, NULL},
		{"display_name", "displayName", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MasterAuthorizedNetworksConfig_CidrBlock = {
	"google.container.v1.MasterAuthorizedNetworksConfig.CidrBlock",
	F_google_container_v1_MasterAuthorizedNetworksConfig_CidrBlock, 2};
static const struct jschema_field F_google_container_v1_CostManagementConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_CostManagementConfig = {
	"google.container.v1.CostManagementConfig", F_google_container_v1_CostManagementConfig, 1};
static const struct jschema_field F_google_container_v1_DatabaseEncryption[] = {
	{"current_state", "currentState", JS_ENUM, 0, NULL,
	 &E_google_container_v1_DatabaseEncryption_CurrentState, NULL},
	{"decryption_keys", "decryptionKeys", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"key_name", "keyName", JS_STRING, 0, NULL, NULL, NULL},
	{"last_operation_errors", "lastOperationErrors", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_DatabaseEncryption_OperationError, NULL, NULL},
	{"state", "state", JS_ENUM, 0, NULL, &E_google_container_v1_DatabaseEncryption_State, NULL},
};
static const struct jschema_msg M_google_container_v1_DatabaseEncryption = {
	"google.container.v1.DatabaseEncryption", F_google_container_v1_DatabaseEncryption, 5};
static const struct jschema_field F_google_container_v1_DatabaseEncryption_OperationError[] = {
	{"error_message", "errorMessage", JS_STRING, 0, NULL, NULL, NULL},
	{"key_name", "keyName", JS_STRING, 0, NULL, NULL, NULL},
	{"timestamp", "timestamp", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
};
static const struct jschema_msg M_google_container_v1_DatabaseEncryption_OperationError = {
	"google.container.v1.DatabaseEncryption.OperationError",
	F_google_container_v1_DatabaseEncryption_OperationError, 3};
static const struct jschema_field F_google_container_v1_MaxPodsConstraint[] = {
	{"max_pods_per_node", "maxPodsPerNode", JS_INT64, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MaxPodsConstraint = {
	"google.container.v1.MaxPodsConstraint", F_google_container_v1_MaxPodsConstraint, 1};
static const struct jschema_field F_google_container_v1_K8sBetaAPIConfig[] = {
	{"enabled_apis", "enabledApis", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_K8sBetaAPIConfig = {
	"google.container.v1.K8sBetaAPIConfig", F_google_container_v1_K8sBetaAPIConfig, 1};
static const struct jschema_field F_google_container_v1_EnterpriseConfig[] = {
	{"cluster_tier", "clusterTier", JS_ENUM, 0, NULL,
	 &E_google_container_v1_EnterpriseConfig_ClusterTier, NULL},
	{"desired_tier", "desiredTier", JS_ENUM, 0, NULL,
	 &E_google_container_v1_EnterpriseConfig_ClusterTier, NULL},
};
static const struct jschema_msg M_google_container_v1_EnterpriseConfig = {
	"google.container.v1.EnterpriseConfig", F_google_container_v1_EnterpriseConfig, 2};
static const struct jschema_field F_google_container_v1_Fleet[] = {
	{"membership", "membership", JS_STRING, 0, NULL, NULL, NULL},
	{"pre_registered", "preRegistered", JS_BOOL, 0, NULL, NULL, NULL},
	{"project", "project", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_Fleet = {"google.container.v1.Fleet",
							       F_google_container_v1_Fleet, 3};
static const struct jschema_field F_google_container_v1_GkeAutoUpgradeConfig[] = {
	{"patch_mode", "patchMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_GkeAutoUpgradeConfig_PatchMode, NULL},
};
static const struct jschema_msg M_google_container_v1_GkeAutoUpgradeConfig = {
	"google.container.v1.GkeAutoUpgradeConfig", F_google_container_v1_GkeAutoUpgradeConfig, 1};
static const struct jschema_field F_google_container_v1_IdentityServiceConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_IdentityServiceConfig = {
	"google.container.v1.IdentityServiceConfig", F_google_container_v1_IdentityServiceConfig,
	1};
static const struct jschema_field F_google_container_v1_IPAllocationPolicy[] = {
	{"additional_ip_ranges_configs", "additionalIpRangesConfigs", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_AdditionalIPRangesConfig, NULL, NULL},
	{"additional_pod_ranges_config", "additionalPodRangesConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AdditionalPodRangesConfig, NULL, NULL},
	{"auto_ipam_config", "autoIpamConfig", JS_MESSAGE, 0, &M_google_container_v1_AutoIpamConfig,
	 NULL, NULL},
	{"cluster_ipv4_cidr", "clusterIpv4Cidr", JS_STRING, 0, NULL, NULL, NULL},
	{"cluster_ipv4_cidr_block", "clusterIpv4CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"cluster_secondary_range_name", "clusterSecondaryRangeName", JS_STRING, 0, NULL, NULL,
	 NULL},
	{"create_subnetwork", "createSubnetwork", JS_BOOL, 0, NULL, NULL, NULL},
	{"default_pod_ipv4_range_utilization", "defaultPodIpv4RangeUtilization", JS_DOUBLE, 0, NULL,
	 NULL, NULL},
	{"ipv6_access_type", "ipv6AccessType", JS_ENUM, 0, NULL,
	 &E_google_container_v1_IPv6AccessType, NULL},
	{"network_tier_config", "networkTierConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NetworkTierConfig, NULL, NULL},
	{"node_ipv4_cidr", "nodeIpv4Cidr", JS_STRING, 0, NULL, NULL, NULL},
	{"node_ipv4_cidr_block", "nodeIpv4CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"pod_cidr_overprovision_config", "podCidrOverprovisionConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_PodCIDROverprovisionConfig, NULL, NULL},
	{"services_ipv4_cidr", "servicesIpv4Cidr", JS_STRING, 0, NULL, NULL, NULL},
	{"services_ipv4_cidr_block", "servicesIpv4CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"services_ipv6_cidr_block", "servicesIpv6CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"services_secondary_range_name", "servicesSecondaryRangeName", JS_STRING, 0, NULL, NULL,
	 NULL},
	{"stack_type", "stackType", JS_ENUM, 0, NULL, &E_google_container_v1_StackType, NULL},
	{"subnet_ipv6_cidr_block", "subnetIpv6CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"subnetwork_name", "subnetworkName", JS_STRING, 0, NULL, NULL, NULL},
	{"tpu_ipv4_cidr_block", "tpuIpv4CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"use_ip_aliases", "useIpAliases", JS_BOOL, 0, NULL, NULL, NULL},
	{"use_routes", "useRoutes", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_IPAllocationPolicy = {
	"google.container.v1.IPAllocationPolicy", F_google_container_v1_IPAllocationPolicy, 23};
static const struct jschema_field F_google_container_v1_AdditionalIPRangesConfig[] = {
	{"pod_ipv4_range_names", "podIpv4RangeNames", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"subnetwork", "subnetwork", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AdditionalIPRangesConfig = {
	"google.container.v1.AdditionalIPRangesConfig",
	F_google_container_v1_AdditionalIPRangesConfig, 2};
static const struct jschema_field F_google_container_v1_AdditionalPodRangesConfig[] = {
	{"pod_range_info", "podRangeInfo", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_RangeInfo, NULL, NULL},
	{"pod_range_names", "podRangeNames", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AdditionalPodRangesConfig = {
	"google.container.v1.AdditionalPodRangesConfig",
	F_google_container_v1_AdditionalPodRangesConfig, 2};
static const struct jschema_field F_google_container_v1_RangeInfo[] = {
	{"range_name", "rangeName", JS_STRING, 0, NULL, NULL, NULL},
	{"utilization", "utilization", JS_DOUBLE, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RangeInfo = {
	"google.container.v1.RangeInfo", F_google_container_v1_RangeInfo, 2};
static const struct jschema_field F_google_container_v1_AutoIpamConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AutoIpamConfig = {
	"google.container.v1.AutoIpamConfig", F_google_container_v1_AutoIpamConfig, 1};
static const struct jschema_field F_google_container_v1_NetworkTierConfig[] = {
	{"network_tier", "networkTier", JS_ENUM, 0, NULL,
	 &E_google_container_v1_NetworkTierConfig_NetworkTier, NULL},
};
static const struct jschema_msg M_google_container_v1_NetworkTierConfig = {
	"google.container.v1.NetworkTierConfig", F_google_container_v1_NetworkTierConfig, 1};
static const struct jschema_field F_google_container_v1_PodCIDROverprovisionConfig[] = {
	{"disable", "disable", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_PodCIDROverprovisionConfig = {
	"google.container.v1.PodCIDROverprovisionConfig",
	F_google_container_v1_PodCIDROverprovisionConfig, 1};
static const struct jschema_field F_google_container_v1_LegacyAbac[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_LegacyAbac = {
	"google.container.v1.LegacyAbac", F_google_container_v1_LegacyAbac, 1};
static const struct jschema_field F_google_container_v1_LoggingConfig[] = {
	{"component_config", "componentConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LoggingComponentConfig, NULL, NULL},
	{"ray_logging_config", "rayLoggingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RayLoggingConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_LoggingConfig = {
	"google.container.v1.LoggingConfig", F_google_container_v1_LoggingConfig, 2};
static const struct jschema_field F_google_container_v1_LoggingComponentConfig[] = {
	{"enable_components", "enableComponents", JS_ENUM, JS_REPEATED, NULL,
	 &E_google_container_v1_LoggingComponentConfig_Component, NULL},
};
static const struct jschema_msg M_google_container_v1_LoggingComponentConfig = {
	"google.container.v1.LoggingComponentConfig", F_google_container_v1_LoggingComponentConfig,
	1};
static const struct jschema_field F_google_container_v1_RayLoggingConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RayLoggingConfig = {
	"google.container.v1.RayLoggingConfig", F_google_container_v1_RayLoggingConfig, 1};
static const struct jschema_field F_google_container_v1_MaintenancePolicy[] = {
	{"resource_version", "resourceVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"window", "window", JS_MESSAGE, 0, &M_google_container_v1_MaintenanceWindow, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MaintenancePolicy = {
	"google.container.v1.MaintenancePolicy", F_google_container_v1_MaintenancePolicy, 2};
static const struct jschema_field F_google_container_v1_MaintenanceWindow[] = {
	{"daily_maintenance_window", "dailyMaintenanceWindow", JS_MESSAGE, 0,
	 &M_google_container_v1_DailyMaintenanceWindow, NULL, NULL},
	{"maintenance_exclusions", "maintenanceExclusions", JS_MESSAGE, JS_MAP,
	 &M_google_container_v1_TimeWindow, NULL,
	 "google.container.v1.MaintenanceWindow.MaintenanceExclusionsEntry"},
	{"recurring_window", "recurringWindow", JS_MESSAGE, 0,
	 &M_google_container_v1_RecurringTimeWindow, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MaintenanceWindow = {
	"google.container.v1.MaintenanceWindow", F_google_container_v1_MaintenanceWindow, 3};
static const struct jschema_field F_google_container_v1_DailyMaintenanceWindow[] = {
	{"duration", "duration", JS_STRING, 0, NULL, NULL, NULL},
	{"start_time", "startTime", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_DailyMaintenanceWindow = {
	"google.container.v1.DailyMaintenanceWindow", F_google_container_v1_DailyMaintenanceWindow,
	2};
static const struct jschema_field F_google_container_v1_TimeWindow[] = {
	{"end_time", "endTime", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
	{"maintenance_exclusion_options", "maintenanceExclusionOptions", JS_MESSAGE, 0,
	 &M_google_container_v1_MaintenanceExclusionOptions, NULL, NULL},
	{"start_time", "startTime", JS_WKT, 0, NULL, NULL, "google.protobuf.Timestamp"},
};
static const struct jschema_msg M_google_container_v1_TimeWindow = {
	"google.container.v1.TimeWindow", F_google_container_v1_TimeWindow, 3};
static const struct jschema_field F_google_container_v1_MaintenanceExclusionOptions[] = {
	{"scope", "scope", JS_ENUM, 0, NULL,
	 &E_google_container_v1_MaintenanceExclusionOptions_Scope, NULL},
};
static const struct jschema_msg M_google_container_v1_MaintenanceExclusionOptions = {
	"google.container.v1.MaintenanceExclusionOptions",
	F_google_container_v1_MaintenanceExclusionOptions, 1};
static const struct jschema_field F_google_container_v1_RecurringTimeWindow[] = {
	{"recurrence", "recurrence", JS_STRING, 0, NULL, NULL, NULL},
	{"window", "window", JS_MESSAGE, 0, &M_google_container_v1_TimeWindow, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RecurringTimeWindow = {
	"google.container.v1.RecurringTimeWindow", F_google_container_v1_RecurringTimeWindow, 2};
static const struct jschema_field F_google_container_v1_ManagedConfig[] = {
	{"type", "type", JS_ENUM, 0, NULL, &E_google_container_v1_ManagedConfig_Type, NULL},
};
static const struct jschema_msg M_google_container_v1_ManagedConfig = {
	"google.container.v1.ManagedConfig", F_google_container_v1_ManagedConfig, 1};
static const struct jschema_field F_google_container_v1_MasterAuth[] = {
	{"client_certificate", "clientCertificate", JS_STRING, 0, NULL, NULL, NULL},
	{"client_certificate_config", "clientCertificateConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ClientCertificateConfig, NULL, NULL},
	{"client_key", "clientKey", JS_STRING, 0, NULL, NULL, NULL},
	{"cluster_ca_certificate", "clusterCaCertificate", JS_STRING, 0, NULL, NULL, NULL},
	{"password", "password", JS_STRING, 0, NULL, NULL, NULL},
	{"username", "username", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MasterAuth = {
	"google.container.v1.MasterAuth", F_google_container_v1_MasterAuth, 6};
static const struct jschema_field F_google_container_v1_ClientCertificateConfig[] = {
	{"issue_client_certificate", "issueClientCertificate", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ClientCertificateConfig = {
	"google.container.v1.ClientCertificateConfig",
	F_google_container_v1_ClientCertificateConfig, 1};
static const struct jschema_field F_google_container_v1_MeshCertificates[] = {
	{"enable_certificates", "enableCertificates", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MeshCertificates = {
	"google.container.v1.MeshCertificates", F_google_container_v1_MeshCertificates, 1};
static const struct jschema_field F_google_container_v1_MonitoringConfig[] = {
	{"advanced_datapath_observability_config", "advancedDatapathObservabilityConfig",
	 JS_MESSAGE, 0, &M_google_container_v1_AdvancedDatapathObservabilityConfig, NULL, NULL},
	{"component_config", "componentConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_MonitoringComponentConfig, NULL, NULL},
	{"managed_prometheus_config", "managedPrometheusConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ManagedPrometheusConfig, NULL, NULL},
	{"ray_monitoring_config", "rayMonitoringConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RayMonitoringConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MonitoringConfig = {
	"google.container.v1.MonitoringConfig", F_google_container_v1_MonitoringConfig, 4};
static const struct jschema_field F_google_container_v1_AdvancedDatapathObservabilityConfig[] = {
	{"enable_metrics", "enableMetrics", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_relay", "enableRelay", JS_BOOL, 0, NULL, NULL, NULL},
	{"relay_mode", "relayMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_AdvancedDatapathObservabilityConfig_RelayMode, NULL},
};
static const struct jschema_msg M_google_container_v1_AdvancedDatapathObservabilityConfig = {
	"google.container.v1.AdvancedDatapathObservabilityConfig",
	F_google_container_v1_AdvancedDatapathObservabilityConfig, 3};
static const struct jschema_field F_google_container_v1_MonitoringComponentConfig[] = {
	{"enable_components", "enableComponents", JS_ENUM, JS_REPEATED, NULL,
	 &E_google_container_v1_MonitoringComponentConfig_Component, NULL},
};
static const struct jschema_msg M_google_container_v1_MonitoringComponentConfig = {
	"google.container.v1.MonitoringComponentConfig",
	F_google_container_v1_MonitoringComponentConfig, 1};
static const struct jschema_field F_google_container_v1_ManagedPrometheusConfig[] = {
	{"auto_monitoring_config", "autoMonitoringConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AutoMonitoringConfig, NULL, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ManagedPrometheusConfig = {
	"google.container.v1.ManagedPrometheusConfig",
	F_google_container_v1_ManagedPrometheusConfig, 2};
static const struct jschema_field F_google_container_v1_AutoMonitoringConfig[] = {
	{"scope", "scope", JS_ENUM, 0, NULL, &E_google_container_v1_AutoMonitoringConfig_Scope,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_AutoMonitoringConfig = {
	"google.container.v1.AutoMonitoringConfig", F_google_container_v1_AutoMonitoringConfig, 1};
static const struct jschema_field F_google_container_v1_RayMonitoringConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RayMonitoringConfig = {
	"google.container.v1.RayMonitoringConfig", F_google_container_v1_RayMonitoringConfig, 1};
static const struct jschema_field F_google_container_v1_NetworkConfig[] = {
	{"datapath_provider", "datapathProvider", JS_ENUM, 0, NULL,
	 &E_google_container_v1_DatapathProvider, NULL},
	{"default_enable_private_nodes", "defaultEnablePrivateNodes", JS_BOOL, 0, NULL, NULL, NULL},
	{"default_snat_status", "defaultSnatStatus", JS_MESSAGE, 0,
	 &M_google_container_v1_DefaultSnatStatus, NULL, NULL},
	{"disable_l4_lb_firewall_reconciliation", "disableL4LbFirewallReconciliation", JS_BOOL, 0,
	 NULL, NULL, NULL},
	{"dns_config", "dnsConfig", JS_MESSAGE, 0, &M_google_container_v1_DNSConfig, NULL, NULL},
	{"enable_cilium_clusterwide_network_policy", "enableCiliumClusterwideNetworkPolicy",
	 JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_fqdn_network_policy", "enableFqdnNetworkPolicy", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_intra_node_visibility", "enableIntraNodeVisibility", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_l4ilb_subsetting", "enableL4ilbSubsetting", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_multi_networking", "enableMultiNetworking", JS_BOOL, 0, NULL, NULL, NULL},
	{"gateway_api_config", "gatewayApiConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GatewayAPIConfig, NULL, NULL},
	{"in_transit_encryption_config", "inTransitEncryptionConfig", JS_ENUM, 0, NULL,
	 &E_google_container_v1_InTransitEncryptionConfig, NULL},
	{"network", "network", JS_STRING, 0, NULL, NULL, NULL},
	{"network_performance_config", "networkPerformanceConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig, NULL, NULL},
	{"private_ipv6_google_access", "privateIpv6GoogleAccess", JS_ENUM, 0, NULL,
	 &E_google_container_v1_PrivateIPv6GoogleAccess, NULL},
	{"service_external_ips_config", "serviceExternalIpsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ServiceExternalIPsConfig, NULL, NULL},
	{"subnetwork", "subnetwork", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NetworkConfig = {
	"google.container.v1.NetworkConfig", F_google_container_v1_NetworkConfig, 17};
static const struct jschema_field F_google_container_v1_DefaultSnatStatus[] = {
	{"disabled", "disabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_DefaultSnatStatus = {
	"google.container.v1.DefaultSnatStatus", F_google_container_v1_DefaultSnatStatus, 1};
static const struct jschema_field F_google_container_v1_DNSConfig[] = {
	{"additive_vpc_scope_dns_domain", "additiveVpcScopeDnsDomain", JS_STRING, 0, NULL, NULL,
	 NULL},
	{"cluster_dns", "clusterDns", JS_ENUM, 0, NULL, &E_google_container_v1_DNSConfig_Provider,
	 NULL},
	{"cluster_dns_domain", "clusterDnsDomain", JS_STRING, 0, NULL, NULL, NULL},
	{"cluster_dns_scope", "clusterDnsScope", JS_ENUM, 0, NULL,
	 &E_google_container_v1_DNSConfig_DNSScope, NULL},
	{"enable_additive_vpc_scope", "enableAdditiveVpcScope", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_DNSConfig = {
	"google.container.v1.DNSConfig", F_google_container_v1_DNSConfig, 5};
static const struct jschema_field F_google_container_v1_GatewayAPIConfig[] = {
	{"channel", "channel", JS_ENUM, 0, NULL, &E_google_container_v1_GatewayAPIConfig_Channel,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_GatewayAPIConfig = {
	"google.container.v1.GatewayAPIConfig", F_google_container_v1_GatewayAPIConfig, 1};
static const struct jschema_field
	F_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig[] = {
		{"total_egress_bandwidth_tier", "totalEgressBandwidthTier", JS_ENUM, 0, NULL,
		 &E_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig_Tier, NULL},
};
static const struct jschema_msg
	M_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig = {
		"google.container.v1.NetworkConfig.ClusterNetworkPerformanceConfig",
		F_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig, 1};
static const struct jschema_field F_google_container_v1_ServiceExternalIPsConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ServiceExternalIPsConfig = {
	"google.container.v1.ServiceExternalIPsConfig",
	F_google_container_v1_ServiceExternalIPsConfig, 1};
static const struct jschema_field F_google_container_v1_NetworkPolicy[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"provider", "provider", JS_ENUM, 0, NULL, &E_google_container_v1_NetworkPolicy_Provider,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_NetworkPolicy = {
	"google.container.v1.NetworkPolicy", F_google_container_v1_NetworkPolicy, 2};
static const struct jschema_field F_google_container_v1_NodeConfig[] = {
	{"accelerators", "accelerators", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_AcceleratorConfig, NULL, NULL},
	{"advanced_machine_features", "advancedMachineFeatures", JS_MESSAGE, 0,
	 &M_google_container_v1_AdvancedMachineFeatures, NULL, NULL},
	{"boot_disk", "bootDisk", JS_MESSAGE, 0, &M_google_container_v1_BootDisk, NULL, NULL},
	{"boot_disk_kms_key", "bootDiskKmsKey", JS_STRING, 0, NULL, NULL, NULL},
	{"confidential_nodes", "confidentialNodes", JS_MESSAGE, 0,
	 &M_google_container_v1_ConfidentialNodes, NULL, NULL},
	{"containerd_config", "containerdConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ContainerdConfig, NULL, NULL},
	{"disk_size_gb", "diskSizeGb", JS_INT32, 0, NULL, NULL, NULL},
	{"disk_type", "diskType", JS_STRING, 0, NULL, NULL, NULL},
	{"effective_cgroup_mode", "effectiveCgroupMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_NodeConfig_EffectiveCgroupMode, NULL},
	{"enable_confidential_storage", "enableConfidentialStorage", JS_BOOL, 0, NULL, NULL, NULL},
	{"ephemeral_storage_local_ssd_config", "ephemeralStorageLocalSsdConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_EphemeralStorageLocalSsdConfig, NULL, NULL},
	{"fast_socket", "fastSocket", JS_MESSAGE, 0, &M_google_container_v1_FastSocket, NULL, NULL},
	{"flex_start", "flexStart", JS_BOOL, 0, NULL, NULL, NULL},
	{"gcfs_config", "gcfsConfig", JS_MESSAGE, 0, &M_google_container_v1_GcfsConfig, NULL, NULL},
	{"gpu_direct_config", "gpuDirectConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GPUDirectConfig, NULL, NULL},
	{"gvnic", "gvnic", JS_MESSAGE, 0, &M_google_container_v1_VirtualNIC, NULL, NULL},
	{"image_type", "imageType", JS_STRING, 0, NULL, NULL, NULL},
	{"kubelet_config", "kubeletConfig", JS_MESSAGE, 0, &M_google_container_v1_NodeKubeletConfig,
	 NULL, NULL},
	{"labels", "labels", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.NodeConfig.LabelsEntry"},
	{"linux_node_config", "linuxNodeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LinuxNodeConfig, NULL, NULL},
	{"local_nvme_ssd_block_config", "localNvmeSsdBlockConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LocalNvmeSsdBlockConfig, NULL, NULL},
	{"local_ssd_count", "localSsdCount", JS_INT32, 0, NULL, NULL, NULL},
	{"local_ssd_encryption_mode", "localSsdEncryptionMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_NodeConfig_LocalSsdEncryptionMode, NULL},
	{"logging_config", "loggingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePoolLoggingConfig, NULL, NULL},
	{"machine_type", "machineType", JS_STRING, 0, NULL, NULL, NULL},
	{"max_run_duration", "maxRunDuration", JS_WKT, 0, NULL, NULL, "google.protobuf.Duration"},
	{"metadata", "metadata", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.NodeConfig.MetadataEntry"},
	{"min_cpu_platform", "minCpuPlatform", JS_STRING, 0, NULL, NULL, NULL},
	{"node_group", "nodeGroup", JS_STRING, 0, NULL, NULL, NULL},
	{"node_image_config", "nodeImageConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_CustomImageConfig, NULL, NULL},
	{"oauth_scopes", "oauthScopes", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"preemptible", "preemptible", JS_BOOL, 0, NULL, NULL, NULL},
	{"reservation_affinity", "reservationAffinity", JS_MESSAGE, 0,
	 &M_google_container_v1_ReservationAffinity, NULL, NULL},
	{"resource_labels", "resourceLabels", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.NodeConfig.ResourceLabelsEntry"},
	{"resource_manager_tags", "resourceManagerTags", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceManagerTags, NULL, NULL},
	{"sandbox_config", "sandboxConfig", JS_MESSAGE, 0, &M_google_container_v1_SandboxConfig,
	 NULL, NULL},
	{"secondary_boot_disk_update_strategy", "secondaryBootDiskUpdateStrategy", JS_MESSAGE, 0,
	 &M_google_container_v1_SecondaryBootDiskUpdateStrategy, NULL, NULL},
	{"secondary_boot_disks", "secondaryBootDisks", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_SecondaryBootDisk, NULL, NULL},
	{"service_account", "serviceAccount", JS_STRING, 0, NULL, NULL, NULL},
	{"shielded_instance_config", "shieldedInstanceConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ShieldedInstanceConfig, NULL, NULL},
	{"sole_tenant_config", "soleTenantConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_SoleTenantConfig, NULL, NULL},
	{"spot", "spot", JS_BOOL, 0, NULL, NULL, NULL},
	{"storage_pools", "storagePools", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"tags", "tags", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"taints", "taints", JS_MESSAGE, JS_REPEATED, &M_google_container_v1_NodeTaint, NULL, NULL},
	{"windows_node_config", "windowsNodeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_WindowsNodeConfig, NULL, NULL},
	{"workload_metadata_config", "workloadMetadataConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_WorkloadMetadataConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeConfig = {
	"google.container.v1.NodeConfig", F_google_container_v1_NodeConfig, 47};
static const struct jschema_field F_google_container_v1_AcceleratorConfig[] = {
	{"accelerator_count", "acceleratorCount", JS_INT64, 0, NULL, NULL, NULL},
	{"accelerator_type", "acceleratorType", JS_STRING, 0, NULL, NULL, NULL},
	{"gpu_driver_installation_config", "gpuDriverInstallationConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GPUDriverInstallationConfig, NULL, NULL},
	{"gpu_partition_size", "gpuPartitionSize", JS_STRING, 0, NULL, NULL, NULL},
	{"gpu_sharing_config", "gpuSharingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GPUSharingConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AcceleratorConfig = {
	"google.container.v1.AcceleratorConfig", F_google_container_v1_AcceleratorConfig, 5};
static const struct jschema_field F_google_container_v1_GPUDriverInstallationConfig[] = {
	{"gpu_driver_version", "gpuDriverVersion", JS_ENUM, 0, NULL,
	 &E_google_container_v1_GPUDriverInstallationConfig_GPUDriverVersion, NULL},
};
static const struct jschema_msg M_google_container_v1_GPUDriverInstallationConfig = {
	"google.container.v1.GPUDriverInstallationConfig",
	F_google_container_v1_GPUDriverInstallationConfig, 1};
static const struct jschema_field F_google_container_v1_GPUSharingConfig[] = {
	{"gpu_sharing_strategy", "gpuSharingStrategy", JS_ENUM, 0, NULL,
	 &E_google_container_v1_GPUSharingConfig_GPUSharingStrategy, NULL},
	{"max_shared_clients_per_gpu", "maxSharedClientsPerGpu", JS_INT64, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_GPUSharingConfig = {
	"google.container.v1.GPUSharingConfig", F_google_container_v1_GPUSharingConfig, 2};
static const struct jschema_field F_google_container_v1_AdvancedMachineFeatures[] = {
	{"enable_nested_virtualization", "enableNestedVirtualization", JS_BOOL, 0, NULL, NULL,
	 NULL},
	{"performance_monitoring_unit", "performanceMonitoringUnit", JS_ENUM, 0, NULL,
	 &E_google_container_v1_AdvancedMachineFeatures_PerformanceMonitoringUnit, NULL},
	{"threads_per_core", "threadsPerCore", JS_INT64, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AdvancedMachineFeatures = {
	"google.container.v1.AdvancedMachineFeatures",
	F_google_container_v1_AdvancedMachineFeatures, 3};
static const struct jschema_field F_google_container_v1_BootDisk[] = {
	{"disk_type", "diskType", JS_STRING, 0, NULL, NULL, NULL},
	{"provisioned_iops", "provisionedIops", JS_INT64, 0, NULL, NULL, NULL},
	{"provisioned_throughput", "provisionedThroughput", JS_INT64, 0, NULL, NULL, NULL},
	{"size_gb", "sizeGb", JS_INT64, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_BootDisk = {
	"google.container.v1.BootDisk", F_google_container_v1_BootDisk, 4};
static const struct jschema_field F_google_container_v1_ContainerdConfig[] = {
	{"private_registry_access_config", "privateRegistryAccessConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ContainerdConfig = {
	"google.container.v1.ContainerdConfig", F_google_container_v1_ContainerdConfig, 1};
static const struct jschema_field F_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig[] = {
	{"certificate_authority_domain_config", "certificateAuthorityDomainConfig", JS_MESSAGE,
	 JS_REPEATED,
	 &M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig,
	 NULL, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig =
	{"google.container.v1.ContainerdConfig.PrivateRegistryAccessConfig",
	 F_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig, 2};
static const struct jschema_field
	F_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig
		[] = {
			{"fqdns", "fqdns", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
			{"gcp_secret_manager_certificate_config",
			 "gcpSecretManagerCertificateConfig", JS_MESSAGE, 0,
			 &M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig_GCPSecretManagerCertificateConfig,
			 NULL, NULL},
};
static const struct jschema_msg
	M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig =
		{"google.container.v1.ContainerdConfig.PrivateRegistryAccessConfig."
		 "CertificateAuthorityDomainConfig",
		 F_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig,
		 2};
static const struct jschema_field
	F_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig_GCPSecretManagerCertificateConfig
		[] = {
			{"secret_uri", "secretUri", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg
	M_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig_GCPSecretManagerCertificateConfig =
		{"google.container.v1.ContainerdConfig.PrivateRegistryAccessConfig."
		 "CertificateAuthorityDomainConfig.GCPSecretManagerCertificateConfig",
		 F_google_container_v1_ContainerdConfig_PrivateRegistryAccessConfig_CertificateAuthorityDomainConfig_GCPSecretManagerCertificateConfig,
		 1};
static const struct jschema_field F_google_container_v1_EphemeralStorageLocalSsdConfig[] = {
	{"data_cache_count", "dataCacheCount", JS_INT32, 0, NULL, NULL, NULL},
	{"local_ssd_count", "localSsdCount", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_EphemeralStorageLocalSsdConfig = {
	"google.container.v1.EphemeralStorageLocalSsdConfig",
	F_google_container_v1_EphemeralStorageLocalSsdConfig, 2};
static const struct jschema_field F_google_container_v1_FastSocket[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_FastSocket = {
	"google.container.v1.FastSocket", F_google_container_v1_FastSocket, 1};
static const struct jschema_field F_google_container_v1_GcfsConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_GcfsConfig = {
	"google.container.v1.GcfsConfig", F_google_container_v1_GcfsConfig, 1};
static const struct jschema_field F_google_container_v1_GPUDirectConfig[] = {
	{"gpu_direct_strategy", "gpuDirectStrategy", JS_ENUM, 0, NULL,
	 &E_google_container_v1_GPUDirectConfig_GPUDirectStrategy, NULL},
};
static const struct jschema_msg M_google_container_v1_GPUDirectConfig = {
	"google.container.v1.GPUDirectConfig", F_google_container_v1_GPUDirectConfig, 1};
static const struct jschema_field F_google_container_v1_VirtualNIC[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_VirtualNIC = {
	"google.container.v1.VirtualNIC", F_google_container_v1_VirtualNIC, 1};
static const struct jschema_field F_google_container_v1_NodeKubeletConfig[] = {
	{"allowed_unsafe_sysctls", "allowedUnsafeSysctls", JS_STRING, JS_REPEATED, NULL, NULL,
	 NULL},
	{"container_log_max_files", "containerLogMaxFiles", JS_INT32, 0, NULL, NULL, NULL},
	{"container_log_max_size", "containerLogMaxSize", JS_STRING, 0, NULL, NULL, NULL},
	{"cpu_cfs_quota", "cpuCfsQuota", JS_BOOL, 0, NULL, NULL, NULL},
	{"cpu_cfs_quota_period", "cpuCfsQuotaPeriod", JS_STRING, 0, NULL, NULL, NULL},
	{"cpu_manager_policy", "cpuManagerPolicy", JS_STRING, 0, NULL, NULL, NULL},
	{"eviction_max_pod_grace_period_seconds", "evictionMaxPodGracePeriodSeconds", JS_INT32, 0,
	 NULL, NULL, NULL},
	{"eviction_minimum_reclaim", "evictionMinimumReclaim", JS_MESSAGE, 0,
	 &M_google_container_v1_EvictionMinimumReclaim, NULL, NULL},
	{"eviction_soft", "evictionSoft", JS_MESSAGE, 0, &M_google_container_v1_EvictionSignals,
	 NULL, NULL},
	{"eviction_soft_grace_period", "evictionSoftGracePeriod", JS_MESSAGE, 0,
	 &M_google_container_v1_EvictionGracePeriod, NULL, NULL},
	{"image_gc_high_threshold_percent", "imageGcHighThresholdPercent", JS_INT32, 0, NULL, NULL,
	 NULL},
	{"image_gc_low_threshold_percent", "imageGcLowThresholdPercent", JS_INT32, 0, NULL, NULL,
	 NULL},
	{"image_maximum_gc_age", "imageMaximumGcAge", JS_STRING, 0, NULL, NULL, NULL},
	{"image_minimum_gc_age", "imageMinimumGcAge", JS_STRING, 0, NULL, NULL, NULL},
	{"insecure_kubelet_readonly_port_enabled", "insecureKubeletReadonlyPortEnabled", JS_BOOL, 0,
	 NULL, NULL, NULL},
	{"max_parallel_image_pulls", "maxParallelImagePulls", JS_INT32, 0, NULL, NULL, NULL},
	{"memory_manager", "memoryManager", JS_MESSAGE, 0, &M_google_container_v1_MemoryManager,
	 NULL, NULL},
	{"node_swap_size_gib", "nodeSwapSizeGib", JS_INT64, 0, NULL, NULL, NULL},
	{"pod_pids_limit", "podPidsLimit", JS_INT64, 0, NULL, NULL, NULL},
	{"single_process_oom_kill", "singleProcessOomKill", JS_BOOL, 0, NULL, NULL, NULL},
	{"topology_manager", "topologyManager", JS_MESSAGE, 0,
	 &M_google_container_v1_TopologyManager, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeKubeletConfig = {
	"google.container.v1.NodeKubeletConfig", F_google_container_v1_NodeKubeletConfig, 21};
static const struct jschema_field F_google_container_v1_EvictionMinimumReclaim[] = {
	{"imagefs_available", "imagefsAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"imagefs_inodes_free", "imagefsInodesFree", JS_STRING, 0, NULL, NULL, NULL},
	{"memory_available", "memoryAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"nodefs_available", "nodefsAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"nodefs_inodes_free", "nodefsInodesFree", JS_STRING, 0, NULL, NULL, NULL},
	{"pid_available", "pidAvailable", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_EvictionMinimumReclaim = {
	"google.container.v1.EvictionMinimumReclaim", F_google_container_v1_EvictionMinimumReclaim,
	6};
static const struct jschema_field F_google_container_v1_EvictionSignals[] = {
	{"imagefs_available", "imagefsAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"imagefs_inodes_free", "imagefsInodesFree", JS_STRING, 0, NULL, NULL, NULL},
	{"memory_available", "memoryAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"nodefs_available", "nodefsAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"nodefs_inodes_free", "nodefsInodesFree", JS_STRING, 0, NULL, NULL, NULL},
	{"pid_available", "pidAvailable", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_EvictionSignals = {
	"google.container.v1.EvictionSignals", F_google_container_v1_EvictionSignals, 6};
static const struct jschema_field F_google_container_v1_EvictionGracePeriod[] = {
	{"imagefs_available", "imagefsAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"imagefs_inodes_free", "imagefsInodesFree", JS_STRING, 0, NULL, NULL, NULL},
	{"memory_available", "memoryAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"nodefs_available", "nodefsAvailable", JS_STRING, 0, NULL, NULL, NULL},
	{"nodefs_inodes_free", "nodefsInodesFree", JS_STRING, 0, NULL, NULL, NULL},
	{"pid_available", "pidAvailable", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_EvictionGracePeriod = {
	"google.container.v1.EvictionGracePeriod", F_google_container_v1_EvictionGracePeriod, 6};
static const struct jschema_field F_google_container_v1_MemoryManager[] = {
	{"policy", "policy", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_MemoryManager = {
	"google.container.v1.MemoryManager", F_google_container_v1_MemoryManager, 1};
static const struct jschema_field F_google_container_v1_TopologyManager[] = {
	{"policy", "policy", JS_STRING, 0, NULL, NULL, NULL},
	{"scope", "scope", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_TopologyManager = {
	"google.container.v1.TopologyManager", F_google_container_v1_TopologyManager, 2};
static const struct jschema_field F_google_container_v1_LinuxNodeConfig[] = {
	{"cgroup_mode", "cgroupMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_LinuxNodeConfig_CgroupMode, NULL},
	{"hugepages", "hugepages", JS_MESSAGE, 0,
	 &M_google_container_v1_LinuxNodeConfig_HugepagesConfig, NULL, NULL},
	{"sysctls", "sysctls", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.LinuxNodeConfig.SysctlsEntry"},
	{"transparent_hugepage_defrag", "transparentHugepageDefrag", JS_ENUM, 0, NULL,
	 &E_google_container_v1_LinuxNodeConfig_TransparentHugepageDefrag, NULL},
	{"transparent_hugepage_enabled", "transparentHugepageEnabled", JS_ENUM, 0, NULL,
	 &E_google_container_v1_LinuxNodeConfig_TransparentHugepageEnabled, NULL},
};
static const struct jschema_msg M_google_container_v1_LinuxNodeConfig = {
	"google.container.v1.LinuxNodeConfig", F_google_container_v1_LinuxNodeConfig, 5};
static const struct jschema_field F_google_container_v1_LinuxNodeConfig_HugepagesConfig[] = {
	{"hugepage_size1g", "hugepageSize1g", JS_INT32, 0, NULL, NULL, NULL},
	{"hugepage_size2m", "hugepageSize2m", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_LinuxNodeConfig_HugepagesConfig = {
	"google.container.v1.LinuxNodeConfig.HugepagesConfig",
	F_google_container_v1_LinuxNodeConfig_HugepagesConfig, 2};
static const struct jschema_field F_google_container_v1_LocalNvmeSsdBlockConfig[] = {
	{"local_ssd_count", "localSsdCount", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_LocalNvmeSsdBlockConfig = {
	"google.container.v1.LocalNvmeSsdBlockConfig",
	F_google_container_v1_LocalNvmeSsdBlockConfig, 1};
static const struct jschema_field F_google_container_v1_NodePoolLoggingConfig[] = {
	{"variant_config", "variantConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LoggingVariantConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePoolLoggingConfig = {
	"google.container.v1.NodePoolLoggingConfig", F_google_container_v1_NodePoolLoggingConfig,
	1};
static const struct jschema_field F_google_container_v1_LoggingVariantConfig[] = {
	{"variant", "variant", JS_ENUM, 0, NULL,
	 &E_google_container_v1_LoggingVariantConfig_Variant, NULL},
};
static const struct jschema_msg M_google_container_v1_LoggingVariantConfig = {
	"google.container.v1.LoggingVariantConfig", F_google_container_v1_LoggingVariantConfig, 1};
static const struct jschema_field F_google_container_v1_CustomImageConfig[] = {
	{"image", "image", JS_STRING, 0, NULL, NULL, NULL},
	{"image_family", "imageFamily", JS_STRING, 0, NULL, NULL, NULL},
	{"image_project", "imageProject", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_CustomImageConfig = {
	"google.container.v1.CustomImageConfig", F_google_container_v1_CustomImageConfig, 3};
static const struct jschema_field F_google_container_v1_ReservationAffinity[] = {
	{"consume_reservation_type", "consumeReservationType", JS_ENUM, 0, NULL,
	 &E_google_container_v1_ReservationAffinity_Type, NULL},
	{"key", "key", JS_STRING, 0, NULL, NULL, NULL},
	{"values", "values", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ReservationAffinity = {
	"google.container.v1.ReservationAffinity", F_google_container_v1_ReservationAffinity, 3};
static const struct jschema_field F_google_container_v1_ResourceManagerTags[] = {
	{"tags", "tags", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.ResourceManagerTags.TagsEntry"},
};
static const struct jschema_msg M_google_container_v1_ResourceManagerTags = {
	"google.container.v1.ResourceManagerTags", F_google_container_v1_ResourceManagerTags, 1};
static const struct jschema_field F_google_container_v1_SandboxConfig[] = {
	{"type", "type", JS_ENUM, 0, NULL, &E_google_container_v1_SandboxConfig_Type, NULL},
};
static const struct jschema_msg M_google_container_v1_SandboxConfig = {
	"google.container.v1.SandboxConfig", F_google_container_v1_SandboxConfig, 1};
static const struct jschema_msg M_google_container_v1_SecondaryBootDiskUpdateStrategy = {
	"google.container.v1.SecondaryBootDiskUpdateStrategy", NULL, 0};
static const struct jschema_field F_google_container_v1_SecondaryBootDisk[] = {
	{"disk_image", "diskImage", JS_STRING, 0, NULL, NULL, NULL},
	{"mode", "mode", JS_ENUM, 0, NULL, &E_google_container_v1_SecondaryBootDisk_Mode, NULL},
};
static const struct jschema_msg M_google_container_v1_SecondaryBootDisk = {
	"google.container.v1.SecondaryBootDisk", F_google_container_v1_SecondaryBootDisk, 2};
static const struct jschema_field F_google_container_v1_SoleTenantConfig[] = {
	{"min_node_cpus", "minNodeCpus", JS_INT32, 0, NULL, NULL, NULL},
	{"node_affinities", "nodeAffinities", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_SoleTenantConfig_NodeAffinity, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_SoleTenantConfig = {
	"google.container.v1.SoleTenantConfig", F_google_container_v1_SoleTenantConfig, 2};
static const struct jschema_field F_google_container_v1_SoleTenantConfig_NodeAffinity[] = {
	{"key", "key", JS_STRING, 0, NULL, NULL, NULL},
	{"operator", "operator", JS_ENUM, 0, NULL,
	 &E_google_container_v1_SoleTenantConfig_NodeAffinity_Operator, NULL},
	{"values", "values", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_SoleTenantConfig_NodeAffinity = {
	"google.container.v1.SoleTenantConfig.NodeAffinity",
	F_google_container_v1_SoleTenantConfig_NodeAffinity, 3};
static const struct jschema_field F_google_container_v1_NodeTaint[] = {
	{"effect", "effect", JS_ENUM, 0, NULL, &E_google_container_v1_NodeTaint_Effect, NULL},
	{"key", "key", JS_STRING, 0, NULL, NULL, NULL},
	{"value", "value", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeTaint = {
	"google.container.v1.NodeTaint", F_google_container_v1_NodeTaint, 3};
static const struct jschema_field F_google_container_v1_WindowsNodeConfig[] = {
	{"os_version", "osVersion", JS_ENUM, 0, NULL,
	 &E_google_container_v1_WindowsNodeConfig_OSVersion, NULL},
};
static const struct jschema_msg M_google_container_v1_WindowsNodeConfig = {
	"google.container.v1.WindowsNodeConfig", F_google_container_v1_WindowsNodeConfig, 1};
static const struct jschema_field F_google_container_v1_WorkloadMetadataConfig[] = {
	{"mode", "mode", JS_ENUM, 0, NULL, &E_google_container_v1_WorkloadMetadataConfig_Mode,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_WorkloadMetadataConfig = {
	"google.container.v1.WorkloadMetadataConfig", F_google_container_v1_WorkloadMetadataConfig,
	1};
static const struct jschema_field F_google_container_v1_NodePoolAutoConfig[] = {
	{"linux_node_config", "linuxNodeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LinuxNodeConfig, NULL, NULL},
	{"network_tags", "networkTags", JS_MESSAGE, 0, &M_google_container_v1_NetworkTags, NULL,
	 NULL},
	{"node_kubelet_config", "nodeKubeletConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodeKubeletConfig, NULL, NULL},
	{"resource_manager_tags", "resourceManagerTags", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceManagerTags, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePoolAutoConfig = {
	"google.container.v1.NodePoolAutoConfig", F_google_container_v1_NodePoolAutoConfig, 4};
static const struct jschema_field F_google_container_v1_NetworkTags[] = {
	{"tags", "tags", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NetworkTags = {
	"google.container.v1.NetworkTags", F_google_container_v1_NetworkTags, 1};
static const struct jschema_field F_google_container_v1_NodePoolDefaults[] = {
	{"node_config_defaults", "nodeConfigDefaults", JS_MESSAGE, 0,
	 &M_google_container_v1_NodeConfigDefaults, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePoolDefaults = {
	"google.container.v1.NodePoolDefaults", F_google_container_v1_NodePoolDefaults, 1};
static const struct jschema_field F_google_container_v1_NodeConfigDefaults[] = {
	{"containerd_config", "containerdConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ContainerdConfig, NULL, NULL},
	{"gcfs_config", "gcfsConfig", JS_MESSAGE, 0, &M_google_container_v1_GcfsConfig, NULL, NULL},
	{"logging_config", "loggingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePoolLoggingConfig, NULL, NULL},
	{"node_kubelet_config", "nodeKubeletConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodeKubeletConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeConfigDefaults = {
	"google.container.v1.NodeConfigDefaults", F_google_container_v1_NodeConfigDefaults, 4};
static const struct jschema_field F_google_container_v1_NodePool[] = {
	{"autopilot_config", "autopilotConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AutopilotConfig, NULL, NULL},
	{"autoscaling", "autoscaling", JS_MESSAGE, 0, &M_google_container_v1_NodePoolAutoscaling,
	 NULL, NULL},
	{"best_effort_provisioning", "bestEffortProvisioning", JS_MESSAGE, 0,
	 &M_google_container_v1_BestEffortProvisioning, NULL, NULL},
	{"conditions", "conditions", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_StatusCondition, NULL, NULL},
	{"config", "config", JS_MESSAGE, 0, &M_google_container_v1_NodeConfig, NULL, NULL},
	{"etag", "etag", JS_STRING, 0, NULL, NULL, NULL},
	{"initial_node_count", "initialNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"instance_group_urls", "instanceGroupUrls", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"locations", "locations", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"management", "management", JS_MESSAGE, 0, &M_google_container_v1_NodeManagement, NULL,
	 NULL},
	{"max_pods_constraint", "maxPodsConstraint", JS_MESSAGE, 0,
	 &M_google_container_v1_MaxPodsConstraint, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"network_config", "networkConfig", JS_MESSAGE, 0, &M_google_container_v1_NodeNetworkConfig,
	 NULL, NULL},
	{"placement_policy", "placementPolicy", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_PlacementPolicy, NULL, NULL},
	{"pod_ipv4_cidr_size", "podIpv4CidrSize", JS_INT32, 0, NULL, NULL, NULL},
	{"queued_provisioning", "queuedProvisioning", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_QueuedProvisioning, NULL, NULL},
	{"self_link", "selfLink", JS_STRING, 0, NULL, NULL, NULL},
	{"status", "status", JS_ENUM, 0, NULL, &E_google_container_v1_NodePool_Status, NULL},
	{"status_message", "statusMessage", JS_STRING, 0, NULL, NULL, NULL},
	{"update_info", "updateInfo", JS_MESSAGE, 0, &M_google_container_v1_NodePool_UpdateInfo,
	 NULL, NULL},
	{"upgrade_settings", "upgradeSettings", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_UpgradeSettings, NULL, NULL},
	{"version", "version", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePool = {
	"google.container.v1.NodePool", F_google_container_v1_NodePool, 22};
static const struct jschema_field F_google_container_v1_AutopilotConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AutopilotConfig = {
	"google.container.v1.AutopilotConfig", F_google_container_v1_AutopilotConfig, 1};
static const struct jschema_field F_google_container_v1_NodePoolAutoscaling[] = {
	{"autoprovisioned", "autoprovisioned", JS_BOOL, 0, NULL, NULL, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"location_policy", "locationPolicy", JS_ENUM, 0, NULL,
	 &E_google_container_v1_NodePoolAutoscaling_LocationPolicy, NULL},
	{"max_node_count", "maxNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"min_node_count", "minNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"total_max_node_count", "totalMaxNodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"total_min_node_count", "totalMinNodeCount", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePoolAutoscaling = {
	"google.container.v1.NodePoolAutoscaling", F_google_container_v1_NodePoolAutoscaling, 7};
static const struct jschema_field F_google_container_v1_BestEffortProvisioning[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"min_provision_nodes", "minProvisionNodes", JS_INT32, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_BestEffortProvisioning = {
	"google.container.v1.BestEffortProvisioning", F_google_container_v1_BestEffortProvisioning,
	2};
static const struct jschema_field F_google_container_v1_NodeNetworkConfig[] = {
	{"additional_node_network_configs", "additionalNodeNetworkConfigs", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_AdditionalNodeNetworkConfig, NULL, NULL},
	{"additional_pod_network_configs", "additionalPodNetworkConfigs", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_AdditionalPodNetworkConfig, NULL, NULL},
	{"create_pod_range", "createPodRange", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_private_nodes", "enablePrivateNodes", JS_BOOL, 0, NULL, NULL, NULL},
	{"network_performance_config", "networkPerformanceConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig, NULL, NULL},
	{"network_tier_config", "networkTierConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NetworkTierConfig, NULL, NULL},
	{"pod_cidr_overprovision_config", "podCidrOverprovisionConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_PodCIDROverprovisionConfig, NULL, NULL},
	{"pod_ipv4_cidr_block", "podIpv4CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"pod_ipv4_range_utilization", "podIpv4RangeUtilization", JS_DOUBLE, 0, NULL, NULL, NULL},
	{"pod_range", "podRange", JS_STRING, 0, NULL, NULL, NULL},
	{"subnetwork", "subnetwork", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeNetworkConfig = {
	"google.container.v1.NodeNetworkConfig", F_google_container_v1_NodeNetworkConfig, 11};
static const struct jschema_field F_google_container_v1_AdditionalNodeNetworkConfig[] = {
	{"network", "network", JS_STRING, 0, NULL, NULL, NULL},
	{"subnetwork", "subnetwork", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AdditionalNodeNetworkConfig = {
	"google.container.v1.AdditionalNodeNetworkConfig",
	F_google_container_v1_AdditionalNodeNetworkConfig, 2};
static const struct jschema_field F_google_container_v1_AdditionalPodNetworkConfig[] = {
	{"max_pods_per_node", "maxPodsPerNode", JS_MESSAGE, 0,
	 &M_google_container_v1_MaxPodsConstraint, NULL, NULL},
	{"network_attachment", "networkAttachment", JS_STRING, 0, NULL, NULL, NULL},
	{"secondary_pod_range", "secondaryPodRange", JS_STRING, 0, NULL, NULL, NULL},
	{"subnetwork", "subnetwork", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_AdditionalPodNetworkConfig = {
	"google.container.v1.AdditionalPodNetworkConfig",
	F_google_container_v1_AdditionalPodNetworkConfig, 4};
static const struct jschema_field
	F_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig[] = {
		{"total_egress_bandwidth_tier", "totalEgressBandwidthTier", JS_ENUM, 0, NULL,
		 &E_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig_Tier, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig = {
	"google.container.v1.NodeNetworkConfig.NetworkPerformanceConfig",
	F_google_container_v1_NodeNetworkConfig_NetworkPerformanceConfig, 1};
static const struct jschema_field F_google_container_v1_NodePool_PlacementPolicy[] = {
	{"policy_name", "policyName", JS_STRING, 0, NULL, NULL, NULL},
	{"tpu_topology", "tpuTopology", JS_STRING, 0, NULL, NULL, NULL},
	{"type", "type", JS_ENUM, 0, NULL, &E_google_container_v1_NodePool_PlacementPolicy_Type,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_NodePool_PlacementPolicy = {
	"google.container.v1.NodePool.PlacementPolicy",
	F_google_container_v1_NodePool_PlacementPolicy, 3};
static const struct jschema_field F_google_container_v1_NodePool_QueuedProvisioning[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePool_QueuedProvisioning = {
	"google.container.v1.NodePool.QueuedProvisioning",
	F_google_container_v1_NodePool_QueuedProvisioning, 1};
static const struct jschema_field F_google_container_v1_NodePool_UpdateInfo[] = {
	{"blue_green_info", "blueGreenInfo", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePool_UpdateInfo = {
	"google.container.v1.NodePool.UpdateInfo", F_google_container_v1_NodePool_UpdateInfo, 1};
static const struct jschema_field F_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo[] = {
	{"blue_instance_group_urls", "blueInstanceGroupUrls", JS_STRING, JS_REPEATED, NULL, NULL,
	 NULL},
	{"blue_pool_deletion_start_time", "bluePoolDeletionStartTime", JS_STRING, 0, NULL, NULL,
	 NULL},
	{"green_instance_group_urls", "greenInstanceGroupUrls", JS_STRING, JS_REPEATED, NULL, NULL,
	 NULL},
	{"green_pool_version", "greenPoolVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"phase", "phase", JS_ENUM, 0, NULL,
	 &E_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo_Phase, NULL},
};
static const struct jschema_msg M_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo = {
	"google.container.v1.NodePool.UpdateInfo.BlueGreenInfo",
	F_google_container_v1_NodePool_UpdateInfo_BlueGreenInfo, 5};
static const struct jschema_field F_google_container_v1_NotificationConfig[] = {
	{"pubsub", "pubsub", JS_MESSAGE, 0, &M_google_container_v1_NotificationConfig_PubSub, NULL,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_NotificationConfig = {
	"google.container.v1.NotificationConfig", F_google_container_v1_NotificationConfig, 1};
static const struct jschema_field F_google_container_v1_NotificationConfig_PubSub[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"filter", "filter", JS_MESSAGE, 0, &M_google_container_v1_NotificationConfig_Filter, NULL,
	 NULL},
	{"topic", "topic", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NotificationConfig_PubSub = {
	"google.container.v1.NotificationConfig.PubSub",
	F_google_container_v1_NotificationConfig_PubSub, 3};
static const struct jschema_field F_google_container_v1_NotificationConfig_Filter[] = {
	{"event_type", "eventType", JS_ENUM, JS_REPEATED, NULL,
	 &E_google_container_v1_NotificationConfig_EventType, NULL},
};
static const struct jschema_msg M_google_container_v1_NotificationConfig_Filter = {
	"google.container.v1.NotificationConfig.Filter",
	F_google_container_v1_NotificationConfig_Filter, 1};
static const struct jschema_field F_google_container_v1_ParentProductConfig[] = {
	{"labels", "labels", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.ParentProductConfig.LabelsEntry"},
	{"product_name", "productName", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ParentProductConfig = {
	"google.container.v1.ParentProductConfig", F_google_container_v1_ParentProductConfig, 2};
static const struct jschema_field F_google_container_v1_PodAutoscaling[] = {
	{"direct_metrics_opt_in", "directMetricsOptIn", JS_BOOL, 0, NULL, NULL, NULL},
	{"hpa_profile", "hpaProfile", JS_ENUM, 0, NULL,
	 &E_google_container_v1_PodAutoscaling_HPAProfile, NULL},
};
static const struct jschema_msg M_google_container_v1_PodAutoscaling = {
	"google.container.v1.PodAutoscaling", F_google_container_v1_PodAutoscaling, 2};
static const struct jschema_field F_google_container_v1_PrivateClusterConfig[] = {
	{"enable_private_endpoint", "enablePrivateEndpoint", JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_private_nodes", "enablePrivateNodes", JS_BOOL, 0, NULL, NULL, NULL},
	{"master_global_access_config", "masterGlobalAccessConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_PrivateClusterMasterGlobalAccessConfig, NULL, NULL},
	{"master_ipv4_cidr_block", "masterIpv4CidrBlock", JS_STRING, 0, NULL, NULL, NULL},
	{"peering_name", "peeringName", JS_STRING, 0, NULL, NULL, NULL},
	{"private_endpoint", "privateEndpoint", JS_STRING, 0, NULL, NULL, NULL},
	{"private_endpoint_subnetwork", "privateEndpointSubnetwork", JS_STRING, 0, NULL, NULL,
	 NULL},
	{"public_endpoint", "publicEndpoint", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_PrivateClusterConfig = {
	"google.container.v1.PrivateClusterConfig", F_google_container_v1_PrivateClusterConfig, 8};
static const struct jschema_field F_google_container_v1_PrivateClusterMasterGlobalAccessConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_PrivateClusterMasterGlobalAccessConfig = {
	"google.container.v1.PrivateClusterMasterGlobalAccessConfig",
	F_google_container_v1_PrivateClusterMasterGlobalAccessConfig, 1};
static const struct jschema_field F_google_container_v1_RBACBindingConfig[] = {
	{"enable_insecure_binding_system_authenticated", "enableInsecureBindingSystemAuthenticated",
	 JS_BOOL, 0, NULL, NULL, NULL},
	{"enable_insecure_binding_system_unauthenticated",
	 "enableInsecureBindingSystemUnauthenticated", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_RBACBindingConfig = {
	"google.container.v1.RBACBindingConfig", F_google_container_v1_RBACBindingConfig, 2};
static const struct jschema_field F_google_container_v1_ReleaseChannel[] = {
	{"channel", "channel", JS_ENUM, 0, NULL, &E_google_container_v1_ReleaseChannel_Channel,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_ReleaseChannel = {
	"google.container.v1.ReleaseChannel", F_google_container_v1_ReleaseChannel, 1};
static const struct jschema_field F_google_container_v1_ResourceUsageExportConfig[] = {
	{"bigquery_destination", "bigqueryDestination", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceUsageExportConfig_BigQueryDestination, NULL, NULL},
	{"consumption_metering_config", "consumptionMeteringConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceUsageExportConfig_ConsumptionMeteringConfig, NULL, NULL},
	{"enable_network_egress_metering", "enableNetworkEgressMetering", JS_BOOL, 0, NULL, NULL,
	 NULL},
};
static const struct jschema_msg M_google_container_v1_ResourceUsageExportConfig = {
	"google.container.v1.ResourceUsageExportConfig",
	F_google_container_v1_ResourceUsageExportConfig, 3};
static const struct jschema_field
	F_google_container_v1_ResourceUsageExportConfig_BigQueryDestination[] = {
		{"dataset_id", "datasetId", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg
	M_google_container_v1_ResourceUsageExportConfig_BigQueryDestination = {
		"google.container.v1.ResourceUsageExportConfig.BigQueryDestination",
		F_google_container_v1_ResourceUsageExportConfig_BigQueryDestination, 1};
static const struct jschema_field
	F_google_container_v1_ResourceUsageExportConfig_ConsumptionMeteringConfig[] = {
		{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg
	M_google_container_v1_ResourceUsageExportConfig_ConsumptionMeteringConfig = {
		"google.container.v1.ResourceUsageExportConfig.ConsumptionMeteringConfig",
		F_google_container_v1_ResourceUsageExportConfig_ConsumptionMeteringConfig, 1};
static const struct jschema_field F_google_container_v1_RuntimeVulnerabilityInsightConfig[] = {
	{"mode", "mode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_RuntimeVulnerabilityInsightConfig_Mode, NULL},
};
static const struct jschema_msg M_google_container_v1_RuntimeVulnerabilityInsightConfig = {
	"google.container.v1.RuntimeVulnerabilityInsightConfig",
	F_google_container_v1_RuntimeVulnerabilityInsightConfig, 1};
static const struct jschema_field F_google_container_v1_SecretManagerConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"rotation_config", "rotationConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_SecretManagerConfig_RotationConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_SecretManagerConfig = {
	"google.container.v1.SecretManagerConfig", F_google_container_v1_SecretManagerConfig, 2};
static const struct jschema_field F_google_container_v1_SecretManagerConfig_RotationConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"rotation_interval", "rotationInterval", JS_WKT, 0, NULL, NULL,
	 "google.protobuf.Duration"},
};
static const struct jschema_msg M_google_container_v1_SecretManagerConfig_RotationConfig = {
	"google.container.v1.SecretManagerConfig.RotationConfig",
	F_google_container_v1_SecretManagerConfig_RotationConfig, 2};
static const struct jschema_field F_google_container_v1_SecurityPostureConfig[] = {
	{"mode", "mode", JS_ENUM, 0, NULL, &E_google_container_v1_SecurityPostureConfig_Mode, NULL},
	{"vulnerability_mode", "vulnerabilityMode", JS_ENUM, 0, NULL,
	 &E_google_container_v1_SecurityPostureConfig_VulnerabilityMode, NULL},
};
static const struct jschema_msg M_google_container_v1_SecurityPostureConfig = {
	"google.container.v1.SecurityPostureConfig", F_google_container_v1_SecurityPostureConfig,
	2};
static const struct jschema_field F_google_container_v1_ShieldedNodes[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ShieldedNodes = {
	"google.container.v1.ShieldedNodes", F_google_container_v1_ShieldedNodes, 1};
static const struct jschema_field F_google_container_v1_UserManagedKeysConfig[] = {
	{"aggregation_ca", "aggregationCa", JS_STRING, 0, NULL, NULL, NULL},
	{"cluster_ca", "clusterCa", JS_STRING, 0, NULL, NULL, NULL},
	{"control_plane_disk_encryption_key", "controlPlaneDiskEncryptionKey", JS_STRING, 0, NULL,
	 NULL, NULL},
	{"etcd_api_ca", "etcdApiCa", JS_STRING, 0, NULL, NULL, NULL},
	{"etcd_peer_ca", "etcdPeerCa", JS_STRING, 0, NULL, NULL, NULL},
	{"gkeops_etcd_backup_encryption_key", "gkeopsEtcdBackupEncryptionKey", JS_STRING, 0, NULL,
	 NULL, NULL},
	{"service_account_signing_keys", "serviceAccountSigningKeys", JS_STRING, JS_REPEATED, NULL,
	 NULL, NULL},
	{"service_account_verification_keys", "serviceAccountVerificationKeys", JS_STRING,
	 JS_REPEATED, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_UserManagedKeysConfig = {
	"google.container.v1.UserManagedKeysConfig", F_google_container_v1_UserManagedKeysConfig,
	8};
static const struct jschema_field F_google_container_v1_VerticalPodAutoscaling[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_VerticalPodAutoscaling = {
	"google.container.v1.VerticalPodAutoscaling", F_google_container_v1_VerticalPodAutoscaling,
	1};
static const struct jschema_field F_google_container_v1_WorkloadIdentityConfig[] = {
	{"workload_pool", "workloadPool", JS_STRING, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_WorkloadIdentityConfig = {
	"google.container.v1.WorkloadIdentityConfig", F_google_container_v1_WorkloadIdentityConfig,
	1};
static const struct jschema_field F_google_container_v1_UpdateClusterRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"update", "update", JS_MESSAGE, 0, &M_google_container_v1_ClusterUpdate, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_UpdateClusterRequest = {
	"google.container.v1.UpdateClusterRequest", F_google_container_v1_UpdateClusterRequest, 5};
static const struct jschema_field F_google_container_v1_ClusterUpdate[] = {
	{"additional_pod_ranges_config", "additionalPodRangesConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AdditionalPodRangesConfig, NULL, NULL},
	{"desired_additional_ip_ranges_config", "desiredAdditionalIpRangesConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_DesiredAdditionalIPRangesConfig, NULL, NULL},
	{"desired_addons_config", "desiredAddonsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AddonsConfig, NULL, NULL},
	{"desired_anonymous_authentication_config", "desiredAnonymousAuthenticationConfig",
	 JS_MESSAGE, 0, &M_google_container_v1_AnonymousAuthenticationConfig, NULL, NULL},
	{"desired_authenticator_groups_config", "desiredAuthenticatorGroupsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AuthenticatorGroupsConfig, NULL, NULL},
	{"desired_auto_ipam_config", "desiredAutoIpamConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AutoIpamConfig, NULL, NULL},
	{"desired_autopilot", "desiredAutopilot", JS_MESSAGE, 0, &M_google_container_v1_Autopilot,
	 NULL, NULL},
	{"desired_autopilot_insecure_kubelet_readonly_port_enabled",
	 "desiredAutopilotInsecureKubeletReadonlyPortEnabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"desired_autopilot_workload_policy_config", "desiredAutopilotWorkloadPolicyConfig",
	 JS_MESSAGE, 0, &M_google_container_v1_WorkloadPolicyConfig, NULL, NULL},
	{"desired_binary_authorization", "desiredBinaryAuthorization", JS_MESSAGE, 0,
	 &M_google_container_v1_BinaryAuthorization, NULL, NULL},
	{"desired_cluster_autoscaling", "desiredClusterAutoscaling", JS_MESSAGE, 0,
	 &M_google_container_v1_ClusterAutoscaling, NULL, NULL},
	{"desired_compliance_posture_config", "desiredCompliancePostureConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_CompliancePostureConfig, NULL, NULL},
	{"desired_concurrent_ops_config", "desiredConcurrentOpsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ConcurrentOpsConfig, NULL, NULL},
	{"desired_containerd_config", "desiredContainerdConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ContainerdConfig, NULL, NULL},
	{"desired_control_plane_endpoints_config", "desiredControlPlaneEndpointsConfig", JS_MESSAGE,
	 0, &M_google_container_v1_ControlPlaneEndpointsConfig, NULL, NULL},
	{"desired_cost_management_config", "desiredCostManagementConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_CostManagementConfig, NULL, NULL},
	{"desired_database_encryption", "desiredDatabaseEncryption", JS_MESSAGE, 0,
	 &M_google_container_v1_DatabaseEncryption, NULL, NULL},
	{"desired_datapath_provider", "desiredDatapathProvider", JS_ENUM, 0, NULL,
	 &E_google_container_v1_DatapathProvider, NULL},
	{"desired_default_enable_private_nodes", "desiredDefaultEnablePrivateNodes", JS_BOOL, 0,
	 NULL, NULL, NULL},
	{"desired_default_snat_status", "desiredDefaultSnatStatus", JS_MESSAGE, 0,
	 &M_google_container_v1_DefaultSnatStatus, NULL, NULL},
	{"desired_disable_l4_lb_firewall_reconciliation",
	 "desiredDisableL4LbFirewallReconciliation", JS_BOOL, 0, NULL, NULL, NULL},
	{"desired_dns_config", "desiredDnsConfig", JS_MESSAGE, 0, &M_google_container_v1_DNSConfig,
	 NULL, NULL},
	{"desired_enable_cilium_clusterwide_network_policy",
	 "desiredEnableCiliumClusterwideNetworkPolicy", JS_BOOL, 0, NULL, NULL, NULL},
	{"desired_enable_fqdn_network_policy", "desiredEnableFqdnNetworkPolicy", JS_BOOL, 0, NULL,
	 NULL, NULL},
	{"desired_enable_multi_networking", "desiredEnableMultiNetworking", JS_BOOL, 0, NULL, NULL,
	 NULL},
	{"desired_enable_private_endpoint", "desiredEnablePrivateEndpoint", JS_BOOL, 0, NULL, NULL,
	 NULL},
	{"desired_enterprise_config", "desiredEnterpriseConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_DesiredEnterpriseConfig, NULL, NULL},
	{"desired_fleet", "desiredFleet", JS_MESSAGE, 0, &M_google_container_v1_Fleet, NULL, NULL},
	{"desired_gateway_api_config", "desiredGatewayApiConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GatewayAPIConfig, NULL, NULL},
	{"desired_gcfs_config", "desiredGcfsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GcfsConfig, NULL, NULL},
	{"desired_identity_service_config", "desiredIdentityServiceConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_IdentityServiceConfig, NULL, NULL},
	{"desired_image", "desiredImage", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_image_project", "desiredImageProject", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_image_type", "desiredImageType", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_in_transit_encryption_config", "desiredInTransitEncryptionConfig", JS_ENUM, 0,
	 NULL, &E_google_container_v1_InTransitEncryptionConfig, NULL},
	{"desired_intra_node_visibility_config", "desiredIntraNodeVisibilityConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_IntraNodeVisibilityConfig, NULL, NULL},
	{"desired_k8s_beta_apis", "desiredK8sBetaApis", JS_MESSAGE, 0,
	 &M_google_container_v1_K8sBetaAPIConfig, NULL, NULL},
	{"desired_l4ilb_subsetting_config", "desiredL4ilbSubsettingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ILBSubsettingConfig, NULL, NULL},
	{"desired_locations", "desiredLocations", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"desired_logging_config", "desiredLoggingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LoggingConfig, NULL, NULL},
	{"desired_logging_service", "desiredLoggingService", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_managed_config", "desiredManagedConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ManagedConfig, NULL, NULL},
	{"desired_master_authorized_networks_config", "desiredMasterAuthorizedNetworksConfig",
	 JS_MESSAGE, 0, &M_google_container_v1_MasterAuthorizedNetworksConfig, NULL, NULL},
	{"desired_master_version", "desiredMasterVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_mesh_certificates", "desiredMeshCertificates", JS_MESSAGE, 0,
	 &M_google_container_v1_MeshCertificates, NULL, NULL},
	{"desired_monitoring_config", "desiredMonitoringConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_MonitoringConfig, NULL, NULL},
	{"desired_monitoring_service", "desiredMonitoringService", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_network_performance_config", "desiredNetworkPerformanceConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NetworkConfig_ClusterNetworkPerformanceConfig, NULL, NULL},
	{"desired_network_tier_config", "desiredNetworkTierConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NetworkTierConfig, NULL, NULL},
	{"desired_node_kubelet_config", "desiredNodeKubeletConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodeKubeletConfig, NULL, NULL},
	{"desired_node_pool_auto_config_kubelet_config", "desiredNodePoolAutoConfigKubeletConfig",
	 JS_MESSAGE, 0, &M_google_container_v1_NodeKubeletConfig, NULL, NULL},
	{"desired_node_pool_auto_config_linux_node_config",
	 "desiredNodePoolAutoConfigLinuxNodeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LinuxNodeConfig, NULL, NULL},
	{"desired_node_pool_auto_config_network_tags", "desiredNodePoolAutoConfigNetworkTags",
	 JS_MESSAGE, 0, &M_google_container_v1_NetworkTags, NULL, NULL},
	{"desired_node_pool_auto_config_resource_manager_tags",
	 "desiredNodePoolAutoConfigResourceManagerTags", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceManagerTags, NULL, NULL},
	{"desired_node_pool_autoscaling", "desiredNodePoolAutoscaling", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePoolAutoscaling, NULL, NULL},
	{"desired_node_pool_id", "desiredNodePoolId", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_node_pool_logging_config", "desiredNodePoolLoggingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePoolLoggingConfig, NULL, NULL},
	{"desired_node_version", "desiredNodeVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"desired_notification_config", "desiredNotificationConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NotificationConfig, NULL, NULL},
	{"desired_parent_product_config", "desiredParentProductConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ParentProductConfig, NULL, NULL},
	{"desired_pod_autoscaling", "desiredPodAutoscaling", JS_MESSAGE, 0,
	 &M_google_container_v1_PodAutoscaling, NULL, NULL},
	{"desired_private_cluster_config", "desiredPrivateClusterConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_PrivateClusterConfig, NULL, NULL},
	{"desired_private_ipv6_google_access", "desiredPrivateIpv6GoogleAccess", JS_ENUM, 0, NULL,
	 &E_google_container_v1_PrivateIPv6GoogleAccess, NULL},
	{"desired_rbac_binding_config", "desiredRbacBindingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_RBACBindingConfig, NULL, NULL},
	{"desired_release_channel", "desiredReleaseChannel", JS_MESSAGE, 0,
	 &M_google_container_v1_ReleaseChannel, NULL, NULL},
	{"desired_resource_usage_export_config", "desiredResourceUsageExportConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceUsageExportConfig, NULL, NULL},
	{"desired_runtime_vulnerability_insight_config", "desiredRuntimeVulnerabilityInsightConfig",
	 JS_MESSAGE, 0, &M_google_container_v1_RuntimeVulnerabilityInsightConfig, NULL, NULL},
	{"desired_secret_manager_config", "desiredSecretManagerConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_SecretManagerConfig, NULL, NULL},
	{"desired_security_posture_config", "desiredSecurityPostureConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_SecurityPostureConfig, NULL, NULL},
	{"desired_service_external_ips_config", "desiredServiceExternalIpsConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ServiceExternalIPsConfig, NULL, NULL},
	{"desired_shielded_nodes", "desiredShieldedNodes", JS_MESSAGE, 0,
	 &M_google_container_v1_ShieldedNodes, NULL, NULL},
	{"desired_stack_type", "desiredStackType", JS_ENUM, 0, NULL,
	 &E_google_container_v1_StackType, NULL},
	{"desired_user_managed_keys_config", "desiredUserManagedKeysConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_UserManagedKeysConfig, NULL, NULL},
	{"desired_vertical_pod_autoscaling", "desiredVerticalPodAutoscaling", JS_MESSAGE, 0,
	 &M_google_container_v1_VerticalPodAutoscaling, NULL, NULL},
	{"desired_workload_identity_config", "desiredWorkloadIdentityConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_WorkloadIdentityConfig, NULL, NULL},
	{"enable_k8s_beta_apis", "enableK8sBetaApis", JS_MESSAGE, 0,
	 &M_google_container_v1_K8sBetaAPIConfig, NULL, NULL},
	{"etag", "etag", JS_STRING, 0, NULL, NULL, NULL},
	{"gke_auto_upgrade_config", "gkeAutoUpgradeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_GkeAutoUpgradeConfig, NULL, NULL},
	{"removed_additional_pod_ranges_config", "removedAdditionalPodRangesConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_AdditionalPodRangesConfig, NULL, NULL},
	{"user_managed_keys_config", "userManagedKeysConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_UserManagedKeysConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ClusterUpdate = {
	"google.container.v1.ClusterUpdate", F_google_container_v1_ClusterUpdate, 80};
static const struct jschema_field F_google_container_v1_DesiredAdditionalIPRangesConfig[] = {
	{"additional_ip_ranges_configs", "additionalIpRangesConfigs", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_AdditionalIPRangesConfig, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_DesiredAdditionalIPRangesConfig = {
	"google.container.v1.DesiredAdditionalIPRangesConfig",
	F_google_container_v1_DesiredAdditionalIPRangesConfig, 1};
static const struct jschema_field F_google_container_v1_DesiredEnterpriseConfig[] = {
	{"desired_tier", "desiredTier", JS_ENUM, 0, NULL,
	 &E_google_container_v1_EnterpriseConfig_ClusterTier, NULL},
};
static const struct jschema_msg M_google_container_v1_DesiredEnterpriseConfig = {
	"google.container.v1.DesiredEnterpriseConfig",
	F_google_container_v1_DesiredEnterpriseConfig, 1};
static const struct jschema_field F_google_container_v1_IntraNodeVisibilityConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_IntraNodeVisibilityConfig = {
	"google.container.v1.IntraNodeVisibilityConfig",
	F_google_container_v1_IntraNodeVisibilityConfig, 1};
static const struct jschema_field F_google_container_v1_ILBSubsettingConfig[] = {
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_ILBSubsettingConfig = {
	"google.container.v1.ILBSubsettingConfig", F_google_container_v1_ILBSubsettingConfig, 1};
static const struct jschema_field F_google_container_v1_SetLabelsRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"label_fingerprint", "labelFingerprint", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"resource_labels", "resourceLabels", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.SetLabelsRequest.ResourceLabelsEntry"},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetLabelsRequest = {
	"google.container.v1.SetLabelsRequest", F_google_container_v1_SetLabelsRequest, 6};
static const struct jschema_field F_google_container_v1_SetLegacyAbacRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"enabled", "enabled", JS_BOOL, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetLegacyAbacRequest = {
	"google.container.v1.SetLegacyAbacRequest", F_google_container_v1_SetLegacyAbacRequest, 5};
static const struct jschema_field F_google_container_v1_SetNetworkPolicyRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"network_policy", "networkPolicy", JS_MESSAGE, 0, &M_google_container_v1_NetworkPolicy,
	 NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetNetworkPolicyRequest = {
	"google.container.v1.SetNetworkPolicyRequest",
	F_google_container_v1_SetNetworkPolicyRequest, 5};
static const struct jschema_field F_google_container_v1_SetMaintenancePolicyRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"maintenance_policy", "maintenancePolicy", JS_MESSAGE, 0,
	 &M_google_container_v1_MaintenancePolicy, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetMaintenancePolicyRequest = {
	"google.container.v1.SetMaintenancePolicyRequest",
	F_google_container_v1_SetMaintenancePolicyRequest, 5};
static const struct jschema_field F_google_container_v1_SetLoggingServiceRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"logging_service", "loggingService", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetLoggingServiceRequest = {
	"google.container.v1.SetLoggingServiceRequest",
	F_google_container_v1_SetLoggingServiceRequest, 5};
static const struct jschema_field F_google_container_v1_SetMonitoringServiceRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"monitoring_service", "monitoringService", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetMonitoringServiceRequest = {
	"google.container.v1.SetMonitoringServiceRequest",
	F_google_container_v1_SetMonitoringServiceRequest, 5};
static const struct jschema_field F_google_container_v1_SetLocationsRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"locations", "locations", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetLocationsRequest = {
	"google.container.v1.SetLocationsRequest", F_google_container_v1_SetLocationsRequest, 5};
static const struct jschema_field F_google_container_v1_SetAddonsConfigRequest[] = {
	{"addons_config", "addonsConfig", JS_MESSAGE, 0, &M_google_container_v1_AddonsConfig, NULL,
	 NULL},
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetAddonsConfigRequest = {
	"google.container.v1.SetAddonsConfigRequest", F_google_container_v1_SetAddonsConfigRequest,
	5};
static const struct jschema_field F_google_container_v1_SetMasterAuthRequest[] = {
	{"action", "action", JS_ENUM, 0, NULL, &E_google_container_v1_SetMasterAuthRequest_Action,
	 NULL},
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"update", "update", JS_MESSAGE, 0, &M_google_container_v1_MasterAuth, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetMasterAuthRequest = {
	"google.container.v1.SetMasterAuthRequest", F_google_container_v1_SetMasterAuthRequest, 6};
static const struct jschema_field F_google_container_v1_StartIPRotationRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"rotate_credentials", "rotateCredentials", JS_BOOL, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_StartIPRotationRequest = {
	"google.container.v1.StartIPRotationRequest", F_google_container_v1_StartIPRotationRequest,
	5};
static const struct jschema_field F_google_container_v1_CompleteIPRotationRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_CompleteIPRotationRequest = {
	"google.container.v1.CompleteIPRotationRequest",
	F_google_container_v1_CompleteIPRotationRequest, 4};
static const struct jschema_field F_google_container_v1_UpdateMasterRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"master_version", "masterVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_UpdateMasterRequest = {
	"google.container.v1.UpdateMasterRequest", F_google_container_v1_UpdateMasterRequest, 5};
static const struct jschema_field F_google_container_v1_CreateNodePoolRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"node_pool", "nodePool", JS_MESSAGE, 0, &M_google_container_v1_NodePool, NULL, NULL},
	{"parent", "parent", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_CreateNodePoolRequest = {
	"google.container.v1.CreateNodePoolRequest", F_google_container_v1_CreateNodePoolRequest,
	5};
static const struct jschema_field F_google_container_v1_UpdateNodePoolRequest[] = {
	{"accelerators", "accelerators", JS_MESSAGE, JS_REPEATED,
	 &M_google_container_v1_AcceleratorConfig, NULL, NULL},
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"confidential_nodes", "confidentialNodes", JS_MESSAGE, 0,
	 &M_google_container_v1_ConfidentialNodes, NULL, NULL},
	{"containerd_config", "containerdConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_ContainerdConfig, NULL, NULL},
	{"disk_size_gb", "diskSizeGb", JS_INT64, 0, NULL, NULL, NULL},
	{"disk_type", "diskType", JS_STRING, 0, NULL, NULL, NULL},
	{"etag", "etag", JS_STRING, 0, NULL, NULL, NULL},
	{"fast_socket", "fastSocket", JS_MESSAGE, 0, &M_google_container_v1_FastSocket, NULL, NULL},
	{"flex_start", "flexStart", JS_BOOL, 0, NULL, NULL, NULL},
	{"gcfs_config", "gcfsConfig", JS_MESSAGE, 0, &M_google_container_v1_GcfsConfig, NULL, NULL},
	{"gvnic", "gvnic", JS_MESSAGE, 0, &M_google_container_v1_VirtualNIC, NULL, NULL},
	{"image", "image", JS_STRING, 0, NULL, NULL, NULL},
	{"image_project", "imageProject", JS_STRING, 0, NULL, NULL, NULL},
	{"image_type", "imageType", JS_STRING, 0, NULL, NULL, NULL},
	{"kubelet_config", "kubeletConfig", JS_MESSAGE, 0, &M_google_container_v1_NodeKubeletConfig,
	 NULL, NULL},
	{"labels", "labels", JS_MESSAGE, 0, &M_google_container_v1_NodeLabels, NULL, NULL},
	{"linux_node_config", "linuxNodeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_LinuxNodeConfig, NULL, NULL},
	{"locations", "locations", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"logging_config", "loggingConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePoolLoggingConfig, NULL, NULL},
	{"machine_type", "machineType", JS_STRING, 0, NULL, NULL, NULL},
	{"max_run_duration", "maxRunDuration", JS_WKT, 0, NULL, NULL, "google.protobuf.Duration"},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"node_network_config", "nodeNetworkConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_NodeNetworkConfig, NULL, NULL},
	{"node_pool_id", "nodePoolId", JS_STRING, 0, NULL, NULL, NULL},
	{"node_version", "nodeVersion", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"queued_provisioning", "queuedProvisioning", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_QueuedProvisioning, NULL, NULL},
	{"resource_labels", "resourceLabels", JS_MESSAGE, 0, &M_google_container_v1_ResourceLabels,
	 NULL, NULL},
	{"resource_manager_tags", "resourceManagerTags", JS_MESSAGE, 0,
	 &M_google_container_v1_ResourceManagerTags, NULL, NULL},
	{"storage_pools", "storagePools", JS_STRING, JS_REPEATED, NULL, NULL, NULL},
	{"tags", "tags", JS_MESSAGE, 0, &M_google_container_v1_NetworkTags, NULL, NULL},
	{"taints", "taints", JS_MESSAGE, 0, &M_google_container_v1_NodeTaints, NULL, NULL},
	{"upgrade_settings", "upgradeSettings", JS_MESSAGE, 0,
	 &M_google_container_v1_NodePool_UpgradeSettings, NULL, NULL},
	{"windows_node_config", "windowsNodeConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_WindowsNodeConfig, NULL, NULL},
	{"workload_metadata_config", "workloadMetadataConfig", JS_MESSAGE, 0,
	 &M_google_container_v1_WorkloadMetadataConfig, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_UpdateNodePoolRequest = {
	"google.container.v1.UpdateNodePoolRequest", F_google_container_v1_UpdateNodePoolRequest,
	36};
static const struct jschema_field F_google_container_v1_NodeLabels[] = {
	{"labels", "labels", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.NodeLabels.LabelsEntry"},
};
static const struct jschema_msg M_google_container_v1_NodeLabels = {
	"google.container.v1.NodeLabels", F_google_container_v1_NodeLabels, 1};
static const struct jschema_field F_google_container_v1_ResourceLabels[] = {
	{"labels", "labels", JS_STRING, JS_MAP, NULL, NULL,
	 "google.container.v1.ResourceLabels.LabelsEntry"},
};
static const struct jschema_msg M_google_container_v1_ResourceLabels = {
	"google.container.v1.ResourceLabels", F_google_container_v1_ResourceLabels, 1};
static const struct jschema_field F_google_container_v1_NodeTaints[] = {
	{"taints", "taints", JS_MESSAGE, JS_REPEATED, &M_google_container_v1_NodeTaint, NULL, NULL},
};
static const struct jschema_msg M_google_container_v1_NodeTaints = {
	"google.container.v1.NodeTaints", F_google_container_v1_NodeTaints, 1};
static const struct jschema_field F_google_container_v1_SetNodePoolSizeRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"node_count", "nodeCount", JS_INT32, 0, NULL, NULL, NULL},
	{"node_pool_id", "nodePoolId", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetNodePoolSizeRequest = {
	"google.container.v1.SetNodePoolSizeRequest", F_google_container_v1_SetNodePoolSizeRequest,
	6};
static const struct jschema_field F_google_container_v1_SetNodePoolManagementRequest[] = {
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"management", "management", JS_MESSAGE, 0, &M_google_container_v1_NodeManagement, NULL,
	 NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"node_pool_id", "nodePoolId", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetNodePoolManagementRequest = {
	"google.container.v1.SetNodePoolManagementRequest",
	F_google_container_v1_SetNodePoolManagementRequest, 6};
static const struct jschema_field F_google_container_v1_SetNodePoolAutoscalingRequest[] = {
	{"autoscaling", "autoscaling", JS_MESSAGE, 0, &M_google_container_v1_NodePoolAutoscaling,
	 NULL, NULL},
	{"cluster_id", "clusterId", JS_STRING, 0, NULL, NULL, NULL},
	{"name", "name", JS_STRING, 0, NULL, NULL, NULL},
	{"node_pool_id", "nodePoolId", JS_STRING, 0, NULL, NULL, NULL},
	{"project_id", "projectId", JS_STRING, 0, NULL, NULL, NULL},
	{"zone", "zone", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_container_SetNodePoolAutoscalingRequest = {
	"google.container.v1.SetNodePoolAutoscalingRequest",
	F_google_container_v1_SetNodePoolAutoscalingRequest, 6};

/* sts v1: POST /v1/token with a JSON body (a form body is OAuth's, see sts.c). */
static const struct jschema_field F_google_identity_sts_v1_ExchangeTokenRequest[] = {
	{"audience", "audience", JS_STRING, 0, NULL, NULL, NULL},
	{"grant_type", "grantType", JS_STRING, 0, NULL, NULL, NULL},
	{"options", "options", JS_STRING, 0, NULL, NULL, NULL},
	{"requested_token_type", "requestedTokenType", JS_STRING, 0, NULL, NULL, NULL},
	{"scope", "scope", JS_STRING, 0, NULL, NULL, NULL},
	{"subject_token", "subjectToken", JS_STRING, 0, NULL, NULL, NULL},
	{"subject_token_type", "subjectTokenType", JS_STRING, 0, NULL, NULL, NULL},
};
const struct jschema_msg jschema_sts_ExchangeTokenRequest = {
	"google.identity.sts.v1.ExchangeTokenRequest",
	F_google_identity_sts_v1_ExchangeTokenRequest,
	sizeof(F_google_identity_sts_v1_ExchangeTokenRequest) /
		sizeof(F_google_identity_sts_v1_ExchangeTokenRequest[0])};
