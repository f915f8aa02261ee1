/*
 * test_jsonschema.c - the request-body checker: unknown names, lists for single fields,
 * values of the wrong kind and objects for scalars are refused in Google's words, all of a
 * body's problems together in document order, and a body that passes comes out canonical
 * (JSON names, no nulls, "3" an int32).
 *
 * The expected texts are Google's: "Invalid JSON payload received. Unknown name \"x\" at
 * 'a.b[0]': Cannot find field." and the multi-problem message joined by "\n" (Gemini API
 * replies quoted in public reports, e.g. promptfoo/promptfoo#1876); "Proto field is not
 * repeating, cannot start list." (openai/openai-agents-js#34); "Invalid value at
 * 'message.data[0].value' (TYPE_STRING), 428" (FCM: laravel-notification-channels/fcm#37);
 * "Invalid value at 'browse_id' (TYPE_STRING), true"; "Invalid value (add_label_ids),
 * Starting an object on a scalar field" (Gmail) and "Invalid value at 'aggregate_by[0]'
 * (data_type_name), Starting an object on a scalar field" (Fitness API); "Invalid value at
 * 'draft.message.raw' (TYPE_BYTES), Base64 decoding failed for \"...\"" (Gmail).
 */
#include <errno.h>
#include <stdlib.h>

#include "cloud/jsonschema.h"
#include "t.h"

/* Checks text against m; returns the violations' descriptions joined by "|" (malloc'd), or
 * the canonical body dumped compactly when it passes. */
static char *run(const struct jschema_msg *m, const char *text)
{
	json_error_t e;
	json_t *body = json_loads(text, JSON_REJECT_DUPLICATES, &e), *viol = NULL;
	char *out = NULL;
	if (!body)
		return strdup("(bad json)");
	int rc = jschema_check(body, m, &viol);
	if (rc == 0) {
		out = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	} else if (rc == -EINVAL) {
		size_t i, len = 1;
		json_t *v;
		json_array_foreach(viol, i, v) len +=
			json_string_length(json_object_get(v, "description")) + 1 +
			json_string_length(json_object_get(v, "field")) + 3;
		out = calloc(1, len);
		json_array_foreach(viol, i, v)
		{
			if (i)
				strcat(out, "|");
			if (json_object_get(v, "field")) {
				strcat(out, "[");
				strcat(out, json_string_value(json_object_get(v, "field")));
				strcat(out, "] ");
			}
			strcat(out, json_string_value(json_object_get(v, "description")));
		}
	} else {
		out = strdup("(error)");
	}
	json_decref(viol);
	json_decref(body);
	return out;
}

#define EXPECT(m, text, want)                                                                      \
	do {                                                                                       \
		char *got_ = run(&(m), (text));                                                    \
		CHECK_STR(got_, (want));                                                           \
		free(got_);                                                                        \
	} while (0)

/* The attack of issue 9: a misspelt "bindings" wiped the policy. */
static void test_unknown_names(void)
{
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"etag\":\"BwX=\",\"Bindings\":[]}}",
	       "[policy] Invalid JSON payload received. Unknown name \"Bindings\" at 'policy': "
	       "Cannot find field.");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"bindigs\":[{\"role\":\"r\"}]}}",
	       "[policy] Invalid JSON payload received. Unknown name \"bindigs\" at 'policy': "
	       "Cannot find field.");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"x\":1}",
	       "Invalid JSON payload received. Unknown name \"x\": Cannot find field.");
	/* Several, in document order, each with its own place; an unknown member's contents
	 * are not looked into. */
	EXPECT(jschema_iam_SetIamPolicyRequest,
	       "{\"a\":{\"b\":1},\"policy\":{\"bindings\":[{\"role\":\"r\",\"member\":[]},"
	       "{\"members\":[\"user:a@b.c\"],\"condition\":{\"expr\":\"x\"}}]},\"c\":2}",
	       "Invalid JSON payload received. Unknown name \"a\": Cannot find field.|"
	       "[policy.bindings[0]] Invalid JSON payload received. Unknown name \"member\" at "
	       "'policy.bindings[0]': Cannot find field.|"
	       "[policy.bindings[1].condition] Invalid JSON payload received. Unknown name "
	       "\"expr\" at 'policy.bindings[1].condition': Cannot find field.|"
	       "Invalid JSON payload received. Unknown name \"c\": Cannot find field.");
	/* Names are matched exactly: no case folding. */
	EXPECT(jschema_iam_GetIamPolicyRequest, "{\"Options\":{}}",
	       "Invalid JSON payload received. Unknown name \"Options\": Cannot find field.");
	/* Path-bound fields are not body fields. */
	EXPECT(jschema_iam_GetIamPolicyRequest, "{\"resource\":\"projects/p\"}",
	       "Invalid JSON payload received. Unknown name \"resource\": Cannot find field.");
	EXPECT(jschema_crm_GetAncestryRequest, "{\"name\":\"x\"}",
	       "Invalid JSON payload received. Unknown name \"name\": Cannot find field.");
}

static void test_wrong_kinds(void)
{
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"bindings\":\"x\"}}",
	       "[policy.bindings] Invalid value at 'policy.bindings' "
	       "(type.googleapis.com/google.iam.v1.Binding), \"x\"");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"bindings\":[\"x\", 5]}}",
	       "[policy.bindings[0]] Invalid value at 'policy.bindings[0]' "
	       "(type.googleapis.com/google.iam.v1.Binding), \"x\"|"
	       "[policy.bindings[1]] Invalid value at 'policy.bindings[1]' "
	       "(type.googleapis.com/google.iam.v1.Binding), 5");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":\"x\"}",
	       "[policy] Invalid value at 'policy' (type.googleapis.com/google.iam.v1.Policy), "
	       "\"x\"");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"version\":\"three\"}}",
	       "[policy.version] Invalid value at 'policy.version' (TYPE_INT32), \"three\"");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"version\":1.5}}",
	       "[policy.version] Invalid value at 'policy.version' (TYPE_INT32), 1.5");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"version\":4294967296}}",
	       "[policy.version] Invalid value at 'policy.version' (TYPE_INT32), 4294967296");
	EXPECT(jschema_iam_SetIamPolicyRequest,
	       "{\"policy\":{\"bindings\":[{\"role\":true,\"members\":[\"a\",7]}]}}",
	       "[policy.bindings[0].role] Invalid value at 'policy.bindings[0].role' "
	       "(TYPE_STRING), true|"
	       "[policy.bindings[0].members[1]] Invalid value at 'policy.bindings[0].members[1]' "
	       "(TYPE_STRING), 7");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"etag\":\"not base64!\"}}",
	       "[policy.etag] Invalid value at 'policy.etag' (TYPE_BYTES), Base64 decoding "
	       "failed for \"not base64!\"");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"updateMask\":5}",
	       "[update_mask] Invalid value at 'update_mask' "
	       "(type.googleapis.com/google.protobuf.FieldMask), 5");
	/* Enums: a known name or a number. */
	EXPECT(jschema_iam_SetIamPolicyRequest,
	       "{\"policy\":{\"auditConfigs\":[{\"auditLogConfigs\":[{\"logType\":\"READ\"}]}]}}",
	       "[policy.audit_configs[0].audit_log_configs[0].log_type] Invalid value at "
	       "'policy.audit_configs[0].audit_log_configs[0].log_type' "
	       "(type.googleapis.com/google.iam.v1.AuditLogConfig.LogType), \"READ\"");
	EXPECT(jschema_iam_SetIamPolicyRequest,
	       "{\"policy\":{\"auditConfigs\":[{\"auditLogConfigs\":[{\"logType\":\"DATA_READ\"},"
	       "{\"logType\":2}]}]}}",
	       "{\"policy\":{\"auditConfigs\":[{\"auditLogConfigs\":[{\"logType\":\"DATA_READ\"},"
	       "{\"logType\":2}]}]}}");
	/* A list for a single field; a list in a list. */
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":[]}",
	       "Invalid JSON payload received. Unknown name \"policy\": Proto field is not "
	       "repeating, cannot start list.");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"bindings\":[{\"role\":[\"r\"]}]}}",
	       "[policy.bindings[0]] Invalid JSON payload received. Unknown name \"role\" at "
	       "'policy.bindings[0]': Proto field is not repeating, cannot start list.");
	/* An object for a scalar. */
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"etag\":{}}}",
	       "[policy] Invalid value at 'policy' (etag), Starting an object on a scalar field");
	EXPECT(jschema_iam_TestIamPermissionsRequest, "{\"permissions\":{}}",
	       "Invalid value (permissions), Starting an object on a scalar field");
	EXPECT(jschema_iam_SetIamPolicyRequest,
	       "{\"policy\":{\"bindings\":[{\"members\":[{\"a\":1}]}]}}",
	       "[policy.bindings[0]] Invalid value at 'policy.bindings[0]' (members), Starting "
	       "an object on a scalar field");
}

static void test_maps(void)
{
	EXPECT(jschema_container_SetLabelsRequest, "{\"resourceLabels\":{\"a\":\"1\",\"b\":2}}",
	       "[resource_labels[1].value] Invalid value at 'resource_labels[1].value' "
	       "(TYPE_STRING), 2");
	EXPECT(jschema_container_SetLabelsRequest, "{\"resourceLabels\":[]}",
	       "[resource_labels] Invalid value at 'resource_labels' (Map), Cannot bind a list "
	       "to map.");
	EXPECT(jschema_container_SetLabelsRequest, "{\"resourceLabels\":\"a=b\"}",
	       "[resource_labels] Invalid value at 'resource_labels' "
	       "(type.googleapis.com/google.container.v1.SetLabelsRequest.ResourceLabelsEntry), "
	       "\"a=b\"");
	/* Map keys are data, not names. */
	EXPECT(jschema_container_SetLabelsRequest,
	       "{\"resource_labels\":{\"Any_Key\":\"v\"},\"labelFingerprint\":\"f\"}",
	       "{\"labelFingerprint\":\"f\",\"resourceLabels\":{\"Any_Key\":\"v\"}}");
	/* Deep in a cluster: the proto path of a map of messages' value. */
	EXPECT(jschema_container_CreateClusterRequest,
	       "{\"cluster\":{\"name\":\"c\",\"nodePools\":[{\"name\":\"p\",\"config\":"
	       "{\"machineType\":\"e2\",\"labels\":{\"x\":\"y\"},\"oauthScope\":[]}}]}}",
	       "[cluster.node_pools[0].config] Invalid JSON payload received. Unknown name "
	       "\"oauthScope\" at 'cluster.node_pools[0].config': Cannot find field.");
}

static void test_canonical(void)
{
	/* snake_case names are taken and renamed; nulls mean unset. */
	EXPECT(jschema_iam_SetIamPolicyRequest,
	       "{\"update_mask\":\"bindings\",\"policy\":{\"audit_configs\":null,\"etag\":null,"
	       "\"bindings\":[null,{\"role\":\"roles/viewer\",\"members\":[\"user:a@b.c\",null],"
	       "\"condition\":null}]}}",
	       "{\"policy\":{\"bindings\":[{\"members\":[\"user:a@b.c\"],\"role\":\"roles/viewer\"}"
	       "]},\"updateMask\":\"bindings\"}");
	/* "3" is an int32 3. */
	EXPECT(jschema_iam_SetIamPolicyRequest,
	       "{\"policy\":{\"version\":\"3\",\"bindings\":[{\"role\":\"r\"}]}}",
	       "{\"policy\":{\"bindings\":[{\"role\":\"r\"}],\"version\":3}}");
	/* One value where a list is due is refused with the element's type. */
	EXPECT(jschema_serviceusage_BatchEnableServicesRequest, "{\"serviceIds\":\"a\"}",
	       "[service_ids] Invalid value at 'service_ids' (TYPE_STRING), \"a\"");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"policy\":{\"bindings\":{\"role\":\"r\"}}}",
	       "[policy.bindings] Invalid value at 'policy.bindings' "
	       "(type.googleapis.com/google.iam.v1.Binding), {\"role\":\"r\"}");
	EXPECT(jschema_iam_GetIamPolicyRequest, "{\"options\":{\"requested_policy_version\":3}}",
	       "{\"options\":{\"requestedPolicyVersion\":3}}");
	EXPECT(jschema_serviceusage_DisableServiceRequest,
	       "{\"disable_dependent_services\":\"true\"}", "{\"disableDependentServices\":true}");
	/* Both names: the later one counts. */
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"update_mask\":\"a\",\"updateMask\":\"b\"}",
	       "{\"updateMask\":\"b\"}");
	EXPECT(jschema_iam_SetIamPolicyRequest, "{\"updateMask\":\"b\",\"update_mask\":\"a\"}",
	       "{\"updateMask\":\"a\"}");
	/* Empty messages take {} only. */
	EXPECT(jschema_iam_EnableServiceAccountRequest, "{}", "{}");
	/* What gcloud sends. */
	EXPECT(jschema_iam_GetIamPolicyRequest, "{\"options\":{\"requestedPolicyVersion\":3}}",
	       "{\"options\":{\"requestedPolicyVersion\":3}}");
	EXPECT(jschema_iamcredentials_GenerateAccessTokenRequest,
	       "{\"scope\":[\"https://www.googleapis.com/auth/cloud-platform\"],\"lifetime\":"
	       "\"3600s\"}",
	       "{\"lifetime\":\"3600s\",\"scope\":[\"https://www.googleapis.com/auth/"
	       "cloud-platform\"]}");
	EXPECT(jschema_sts_ExchangeTokenRequest,
	       "{\"grant_type\":\"g\",\"subjectTokenType\":\"t\",\"audience\":\"a\"}",
	       "{\"audience\":\"a\",\"grantType\":\"g\",\"subjectTokenType\":\"t\"}");
}

static void test_limits(void)
{
	/* At most JSCHEMA_MAX_VIOLATIONS are reported, however many there are. */
	char text[8192] = "{";
	for (int i = 0; i < 200; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s\"u%d\":1",
			 i ? "," : "", i);
	strcat(text, "}");
	json_t *body = json_loads(text, 0, NULL), *viol = NULL;
	CHECK_EQ_INT(jschema_check(body, &jschema_iam_SetIamPolicyRequest, &viol), -EINVAL);
	CHECK_EQ_INT(json_array_size(viol), JSCHEMA_MAX_VIOLATIONS);
	json_decref(viol);
	json_decref(body);
	/* Long names and values are clipped in the message; the reply stays valid UTF-8. */
	char big[1200] = "{\"policy\":{\"etag\":\"";
	memset(big + strlen(big), 'A', 1000);
	strcpy(big + strlen(big), "!\"}}");
	char *got = run(&jschema_iam_SetIamPolicyRequest, big);
	CHECK(got && strlen(got) < 400 && strstr(got, "Base64 decoding failed for \"AAAA"));
	free(got);
}

int main(void)
{
	RUN(test_unknown_names);
	RUN(test_wrong_kinds);
	RUN(test_maps);
	RUN(test_canonical);
	RUN(test_limits);
	return t_done();
}
