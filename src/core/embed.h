/*
 * embed.h - data files compiled into the binary by embed.S: the predefined role
 * catalog (roles_json: Google's full catalogue in the compact text of
 * scripts/gen-roles.py, or the small data/roles.json when the build had no dataset;
 * see data/README), the demo state (data/demo.yaml), the default RBAC
 * (data/rbac.json) and the fields of the built-in Kubernetes kinds
 * (data/kube-schema.json, read by kube/schema.c), their OpenAPI definitions
 * (data/kube-openapi.json, read by kube/openapi.c) and their merge structure for
 * server-side apply (data/kube-apply.json, read by kube/apply.c). Each is followed by a
 * NUL byte, so it can be used as a C string.
 */
#ifndef GKEID_EMBED_H
#define GKEID_EMBED_H

extern const char embed_roles_json[], embed_roles_json_end[];
extern const char embed_demo_yaml[], embed_demo_yaml_end[];
extern const char embed_rbac_json[], embed_rbac_json_end[];
extern const char embed_kube_schema_json[], embed_kube_schema_json_end[];
extern const char embed_kube_openapi_json[], embed_kube_openapi_json_end[];
extern const char embed_kube_apply_json[], embed_kube_apply_json_end[];

#define EMBED_LEN(name) ((size_t)(embed_##name##_end - embed_##name))

#endif
