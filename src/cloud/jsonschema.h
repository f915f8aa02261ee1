/*
 * jsonschema.h - Google's JSON request parsing, as a schema check: every JSON body a Google
 * API of gkeid takes is checked against a static description of its proto request message
 * (fields, nested messages, maps, repeated fields, enums) before a handler reads it, and
 * refused as Google's front end refuses it:
 *
 *   an unknown name    Invalid JSON payload received. Unknown name "Bindings" at 'policy':
 *                      Cannot find field.
 *   a list for one     Invalid JSON payload received. Unknown name "policy": Proto field is
 *                      not repeating, cannot start list.
 *   a wrong value      Invalid value at 'policy.bindings'
 *                      (type.googleapis.com/google.iam.v1.Binding), "x"
 *                      Invalid value at 'policy.version' (TYPE_INT32), "a"
 *   an object for a    Invalid value at 'policy' (etag), Starting an object on a scalar field
 *   scalar
 *
 * Every problem of the body is reported in one 400 INVALID_ARGUMENT reply, in document
 * order: the messages joined by "\n", one google.rpc.BadRequest field violation each (its
 * "field" the proto path, as 'policy.bindings[0]' or 'labels[2].value'; absent at the top
 * level). Sources (texts seen from Google's APIs, quoted in the unit and e2e tests):
 * protobuf's util/internal/protostream_objectwriter.cc (ProtoStreamObjectWriter, whose
 * messages the front end reports) and public reports of the front end's replies.
 *
 * Not checked here: OAuth 2.0's token endpoint (oauth2.c), which must ignore parameters it
 * does not know (RFC 6749 section 3.2).
 *
 * A body that passes is put in the canonical form handlers read: members renamed to their
 * lowerCamel JSON names (Google accepts the proto snake_case name too, update_mask as well
 * as updateMask: protobuf's util/internal/type_info.cc looks a name up as given and through
 * the JSON-name table), null members and null list elements removed (null means unset),
 * and 32-bit integers and booleans given as strings ("3", "true") turned into JSON numbers
 * and booleans. A single value where a list is due is refused with the element's type
 * ("Invalid value at 'service_ids' (TYPE_STRING), \"x\""), as gkeid refused it before.
 */
#ifndef GKEID_JSONSCHEMA_H
#define GKEID_JSONSCHEMA_H

#include <jansson.h>
#include <stddef.h>

#include "core/http.h"

/* The kind of a field's value; the integer kinds are named in errors as Google names them
 * (TYPE_INT32, ...). JS_WKT: a well-known type written as a JSON string (Duration,
 * Timestamp, FieldMask), whose text its handler checks; JS_ANY: google.protobuf.Value,
 * Struct or ListValue, any JSON. */
enum jschema_kind {
	JS_STRING,
	JS_BYTES,
	JS_BOOL,
	JS_INT32,
	JS_SINT32,
	JS_SFIXED32,
	JS_UINT32,
	JS_FIXED32,
	JS_INT64,
	JS_SINT64,
	JS_SFIXED64,
	JS_UINT64,
	JS_FIXED64,
	JS_DOUBLE,
	JS_FLOAT,
	JS_ENUM,
	JS_MESSAGE,
	JS_WKT,
	JS_ANY,
};

#define JS_REPEATED 1 /* a repeated field: a JSON list */
#define JS_MAP 2      /* a map<string, V> field: a JSON object; kind, msg and en describe V */

struct jschema_msg;

struct jschema_enum {
	const char *name; /* "google.container.v1.DatapathProvider" */
	const char *const *values;
	size_t n;
};

struct jschema_field {
	const char *name; /* proto name: "update_mask" */
	const char *json; /* JSON name: "updateMask" */
	unsigned char kind;
	unsigned char flags;
	const struct jschema_msg *msg; /* JS_MESSAGE */
	const struct jschema_enum *en; /* JS_ENUM */
	const char *type;	       /* JS_WKT: its type; JS_MAP: the map entry's type */
};

struct jschema_msg {
	const char *name; /* "google.iam.v1.Policy" */
	const struct jschema_field *fields;
	size_t n;
};

#define JSCHEMA_MAX_VIOLATIONS 50 /* problems reported at most; the rest are dropped */

/* Checks body (an object) against m and, when it passes, puts it in canonical form (see
 * above). Returns 0; -EINVAL with *violations a new JSON array of field violations
 * ({"field","description"}, "field" absent at the top level); -ENOMEM. violations may be
 * NULL. The body may be changed even when it fails. */
int jschema_check(json_t *body, const struct jschema_msg *m, json_t **violations);

/* The descriptions of violations (borrowed) joined by "\n", as Google's message: malloc'd,
 * or NULL without memory. */
char *jschema_message(const json_t *violations);

/* Replies 400 INVALID_ARGUMENT for violations (borrowed, non-empty): the descriptions joined
 * by "\n" as the message, and one google.rpc.BadRequest detail holding them. */
void jschema_reply(struct http_req *r, const json_t *violations);

/* The request's JSON body (http_json_body: an empty body is {} when empty_ok), checked
 * against m and canonical. A new reference, or NULL after replying (bad JSON, a body that
 * fails the check, or no memory). */
json_t *jschema_body(struct http_req *r, int empty_ok, const struct jschema_msg *m);

/* The request messages of gkeid's Google APIs (jsonschema_google.c). Fields bound to the
 * URL path are left out where Google's discovery documents leave them out. */
extern const struct jschema_msg jschema_crm_GetAncestryRequest, jschema_iam_GetIamPolicyRequest,
	jschema_iam_SetIamPolicyRequest, jschema_iam_TestIamPermissionsRequest,
	jschema_iam_CreateServiceAccountRequest, jschema_iam_PatchServiceAccountRequest,
	jschema_iam_ServiceAccount, jschema_iam_CreateServiceAccountKeyRequest,
	jschema_iam_DisableServiceAccountRequest, jschema_iam_EnableServiceAccountRequest,
	jschema_iam_DisableServiceAccountKeyRequest, jschema_iam_EnableServiceAccountKeyRequest,
	jschema_iam_QueryGrantableRolesRequest, jschema_iamcredentials_GenerateAccessTokenRequest,
	jschema_iamcredentials_GenerateIdTokenRequest, jschema_iamcredentials_SignBlobRequest,
	jschema_iamcredentials_SignJwtRequest, jschema_sts_ExchangeTokenRequest,
	jschema_serviceusage_EnableServiceRequest, jschema_serviceusage_DisableServiceRequest,
	jschema_serviceusage_BatchEnableServicesRequest, jschema_container_CreateClusterRequest,
	jschema_container_UpdateClusterRequest, jschema_container_SetLabelsRequest,
	jschema_container_SetLegacyAbacRequest, jschema_container_SetNetworkPolicyRequest,
	jschema_container_SetMaintenancePolicyRequest, jschema_container_SetLoggingServiceRequest,
	jschema_container_SetMonitoringServiceRequest, jschema_container_SetLocationsRequest,
	jschema_container_SetAddonsConfigRequest, jschema_container_SetMasterAuthRequest,
	jschema_container_StartIPRotationRequest, jschema_container_CompleteIPRotationRequest,
	jschema_container_UpdateMasterRequest, jschema_container_CreateNodePoolRequest,
	jschema_container_UpdateNodePoolRequest, jschema_container_SetNodePoolSizeRequest,
	jschema_container_SetNodePoolManagementRequest,
	jschema_container_SetNodePoolAutoscalingRequest;

#endif
