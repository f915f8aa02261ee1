/* embed.S - data files compiled into the binary (see embed.h). ROLES_CATALOG is the
 * role catalogue the Makefile chose (data/README). */
#ifndef ROLES_CATALOG
#define ROLES_CATALOG "data/roles.json"
#endif
	.section .rodata
	.global embed_roles_json
	.global embed_roles_json_end
embed_roles_json:
	.incbin ROLES_CATALOG
embed_roles_json_end:
	.byte 0
	.global embed_demo_yaml
	.global embed_demo_yaml_end
embed_demo_yaml:
	.incbin "data/demo.yaml"
embed_demo_yaml_end:
	.byte 0
	.global embed_rbac_json
	.global embed_rbac_json_end
embed_rbac_json:
	.incbin "data/rbac.json"
embed_rbac_json_end:
	.byte 0
	.global embed_kube_schema_json
	.global embed_kube_schema_json_end
embed_kube_schema_json:
	.incbin "data/kube-schema.json"
embed_kube_schema_json_end:
	.byte 0
	.global embed_kube_openapi_json
	.global embed_kube_openapi_json_end
embed_kube_openapi_json:
	.incbin "data/kube-openapi.json"
embed_kube_openapi_json_end:
	.global embed_kube_apply_json
	.global embed_kube_apply_json_end
embed_kube_apply_json:
	.incbin "data/kube-apply.json"
embed_kube_apply_json_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
