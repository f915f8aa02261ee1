/*
 * test_schema.c - unit tests for kube/schema.h: every served kind has its type;
 * unknown fields are pruned at every depth while maps, leaves and FieldsV1 keep what
 * they hold; the three fieldValidation modes; the strict errors of upstream's
 * integration test (kubernetes test/integration/apiserver/field_validation_test.go,
 * its Deployment bodies recast as Pods) for POST/PUT bodies, merge, JSON and strategic
 * merge patches; and upstream's texts: the 400 message, the 422 Status of a patch and
 * of a bad fieldValidation, and the Warning headers with the recorder's truncation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube.h"
#include "kube/patch.h"
#include "kube/schema.h"
#include "t.h"

static json_t *J(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (!j)
		fprintf(stderr, "# bad test JSON: %s: %s\n", s, e.text);
	return j;
}

/* The dump of j (compact, document order), freed on the next call. */
static const char *D(const json_t *j)
{
	static char *last;
	free(last);
	last = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	return last ? last : "(null)";
}

static const char *strict(const struct schema_errors *e)
{
	static char *last;
	free(last);
	last = schema_strict_text(e);
	return last;
}

static void every_kind_has_a_type(void)
{
	size_t n;
	const struct kube_resource *rs = kube_resources(&n);
	for (size_t i = 0; i < n; i++) {
		const char *t = schema_type_of(rs[i].group, rs[i].version, rs[i].kind);
		if (!t)
			fprintf(stderr, "# no type for %s/%s %s\n", rs[i].group, rs[i].version,
				rs[i].kind);
		CHECK(t != NULL);
	}
	CHECK_STR(schema_type_of("", "v1", "Pod"), "V1Pod");
	CHECK_STR(schema_type_of("events.k8s.io", "v1", "Event"), "EventsV1Event");
	CHECK_STR(schema_type_of("", "v1", "Event"), "CoreV1Event");
	CHECK_STR(schema_type_of("apps", "v1", "Deployment"), "V1Deployment");
	CHECK(schema_type_of("apps", "v1beta1", "Deployment") == NULL);
	CHECK(schema_type_of("", "v2", "Pod") == NULL);
}

/* Unknown fields go at every depth; maps keep any key, Quantity and IntOrString any
 * value, FieldsV1 anything; fields of Kubernetes 1.30 stay (sidecar restartPolicy,
 * schedulingGates, trafficDistribution). */
static void prune_keeps_only_declared_fields(void)
{
	struct schema_errors e = {0};
	json_t *pod = J(
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"bogus\":{\"deep\":1},"
		"\"metadata\":{\"name\":\"p\",\"clusterName\":\"x\",\"labels\":{\"any/key\":\"v\"},"
		"\"annotations\":{\"iam.gke.io/"
		"gcp-service-account\":\"a@p.iam.gserviceaccount.com\"},"
		"\"managedFields\":[{\"manager\":\"m\",\"fieldsV1\":{\"f:x\":{\"y\":{}}},\"z\":1}]}"
		","
		"\"spec\":{\"schedulingGates\":[{\"name\":\"g\",\"q\":1}],"
		"\"initContainers\":[{\"name\":\"s\",\"image\":\"i\",\"restartPolicy\":\"Always\"}]"
		","
		"\"containers\":[{\"name\":\"a\",\"image\":\"i\",\"x\":[1],"
		"\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":2},\"r\":1},"
		"\"ports\":[{\"containerPort\":80},{\"containerPort\":81,\"p\":2}]}]},"
		"\"status\":{\"phase\":\"Running\",\"podIPs\":[{\"ip\":\"1.2.3.4\",\"v\":6}]}}");
	CHECK_EQ_INT(schema_prune(pod, "V1Pod", &e), 0);
	CHECK_STR(D(pod),
		  "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
		  "\"labels\":{\"any/key\":\"v\"},"
		  "\"annotations\":{\"iam.gke.io/"
		  "gcp-service-account\":\"a@p.iam.gserviceaccount.com\"},"
		  "\"managedFields\":[{\"manager\":\"m\",\"fieldsV1\":{\"f:x\":{\"y\":{}}}}]},"
		  "\"spec\":{\"schedulingGates\":[{\"name\":\"g\"}],"
		  "\"initContainers\":[{\"name\":\"s\",\"image\":\"i\",\"restartPolicy\":"
		  "\"Always\"}],"
		  "\"containers\":[{\"name\":\"a\",\"image\":\"i\","
		  "\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":2}},"
		  "\"ports\":[{\"containerPort\":80},{\"containerPort\":81}]}]},"
		  "\"status\":{\"phase\":\"Running\",\"podIPs\":[{\"ip\":\"1.2.3.4\"}]}}");
	/* document order; metadata.clusterName left Kubernetes in 1.25 */
	CHECK_STR(strict(&e),
		  "strict decoding error: unknown field \"bogus\", unknown field "
		  "\"metadata.clusterName\", unknown field \"metadata.managedFields[0].z\", "
		  "unknown field \"spec.schedulingGates[0].q\", unknown field "
		  "\"spec.containers[0].x\", unknown field "
		  "\"spec.containers[0].resources.r\", unknown field "
		  "\"spec.containers[0].ports[1].p\", unknown field "
		  "\"status.podIPs[0].v\"");
	schema_errors_free(&e);
	json_decref(pod);

	json_t *svc =
		J("{\"spec\":{\"trafficDistribution\":\"PreferClose\",\"ports\":[{\"port\":80,"
		  "\"targetPort\":\"http\"},{\"port\":81,\"targetPort\":8081}],\"selector\":{\"a\":"
		  "\"b\"}}}");
	CHECK_EQ_INT(schema_prune(svc, schema_type_of("", "v1", "Service"), &e), 0);
	CHECK_EQ_INT(e.n, 0);
	CHECK_STR(D(svc),
		  "{\"spec\":{\"trafficDistribution\":\"PreferClose\",\"ports\":[{\"port\":80,"
		  "\"targetPort\":\"http\"},{\"port\":81,\"targetPort\":8081}],\"selector\":{\"a\":"
		  "\"b\"}}}");
	json_decref(svc);

	/* a value of the wrong JSON type is the type checks' business, left alone */
	json_t *odd = J("{\"metadata\":\"x\",\"spec\":{\"containers\":{\"a\":1}},\"rules\":[1]}");
	CHECK_EQ_INT(schema_prune(odd, "V1Pod", &e), 0);
	CHECK_STR(strict(&e), "strict decoding error: unknown field \"rules\"");
	CHECK_STR(D(odd), "{\"metadata\":\"x\",\"spec\":{\"containers\":{\"a\":1}}}");
	schema_errors_free(&e);
	json_decref(odd);
}

/* The attack: a 2,000-level nested unknown field is dropped at its top, so no
 * list carries it; scanning it for duplicates does not recurse 2,000 deep either. */
static void deep_unknown_field_is_dropped(void)
{
	size_t depth = 2000, len = 0;
	char *s = malloc(depth * 8 + 200);
	len += (size_t)sprintf(s, "{\"metadata\":{\"name\":\"n\",\"name\":\"m\"},\"x\":");
	for (size_t i = 0; i < depth; i++)
		len += (size_t)sprintf(s + len, "{\"a\":");
	len += (size_t)sprintf(s + len, "1");
	for (size_t i = 0; i < depth; i++)
		s[len++] = '}';
	s[len++] = '}';
	s[len] = '\0';
	int dups = 0;
	json_error_t je;
	json_t *obj = schema_loadb(s, len, &dups, &je);
	CHECK(obj != NULL);
	CHECK_EQ_INT(dups, 1);
	struct schema_errors e = {0};
	CHECK_EQ_INT(schema_decode(obj, "V1ConfigMap", s, len, dups, SCHEMA_WARN, &e), 0);
	CHECK_STR(strict(&e), "strict decoding error: duplicate field \"metadata.name\", unknown "
			      "field \"x\"");
	CHECK_STR(D(obj), "{\"metadata\":{\"name\":\"m\"}}");
	schema_errors_free(&e);
	/* the same depth under an untyped merge patch value is skipped past, not followed */
	CHECK_EQ_INT(schema_scan(s, len, "*", &e), 0);
	CHECK_STR(strict(&e), "strict decoding error: duplicate field \"metadata.name\"");
	schema_errors_free(&e);
	json_decref(obj);
	free(s);
}

/* invalidBodyJSON of field_validation_test.go, recast: Deployment's spec.paused is
 * the pod's spec.hostNetwork, its template's containers are the pod's. */
static const char BODY[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"dupename\","
	"\"name\":\"p\",\"labels\":{\"app\":\"nginx\"},\"unknownMeta\":\"metaVal\"},"
	"\"spec\":{\"unknown1\":\"val1\",\"unknownDupe\":\"valDupe\",\"unknownDupe\":\"valDupe2\","
	"\"hostNetwork\":true,\"hostNetwork\":false,\"containers\":[{\"name\":\"nginx\","
	"\"image\":\"nginx:latest\",\"unknownNested\":\"val1\",\"imagePullPolicy\":\"Always\","
	"\"imagePullPolicy\":\"Never\"}]}}";
static const char BODY_ERRORS[] =
	"strict decoding error: duplicate field \"metadata.name\", unknown field "
	"\"metadata.unknownMeta\", unknown field \"spec.unknown1\", unknown field "
	"\"spec.unknownDupe\", duplicate field \"spec.hostNetwork\", unknown field "
	"\"spec.containers[0].unknownNested\", duplicate field "
	"\"spec.containers[0].imagePullPolicy\"";
static const char BODY_PRUNED[] =
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
	"\"labels\":{\"app\":\"nginx\"}},\"spec\":{\"hostNetwork\":false,\"containers\":"
	"[{\"name\":\"nginx\",\"image\":\"nginx:latest\",\"imagePullPolicy\":\"Never\"}]}}";

static void body_in_three_modes(void)
{
	static const enum schema_mode modes[] = {SCHEMA_STRICT, SCHEMA_WARN, SCHEMA_IGNORE};
	for (size_t i = 0; i < 3; i++) {
		struct schema_errors e = {0};
		int dups = 0;
		json_error_t je;
		json_t *obj = schema_loadb(BODY, strlen(BODY), &dups, &je);
		CHECK_EQ_INT(dups, 1);
		CHECK_EQ_INT(schema_decode(obj, "V1Pod", BODY, strlen(BODY), dups, modes[i], &e),
			     0);
		if (modes[i] == SCHEMA_IGNORE) {
			CHECK_EQ_INT(e.n, 0);
		} else {
			CHECK_STR(strict(&e), BODY_ERRORS);
		}
		if (modes[i] == SCHEMA_STRICT) /* refused whole: nothing dropped */
			CHECK(json_object_get(json_object_get(obj, "spec"), "unknown1") != NULL);
		else
			CHECK_STR(D(obj), BODY_PRUNED);
		schema_errors_free(&e);
		json_decref(obj);
	}
	/* without duplicates the errors come from the parsed object, in the same order */
	const char *nodup = "{\"metadata\":{\"unknownMeta\":1},\"spec\":{\"unknown1\":1,"
			    "\"containers\":[{\"unknownNested\":1}]}}";
	struct schema_errors e = {0};
	json_t *obj = J(nodup);
	CHECK_EQ_INT(schema_decode(obj, "V1Pod", nodup, strlen(nodup), 0, SCHEMA_STRICT, &e), 0);
	CHECK_STR(strict(&e), "strict decoding error: unknown field \"metadata.unknownMeta\", "
			      "unknown field \"spec.unknown1\", unknown field "
			      "\"spec.containers[0].unknownNested\"");
	char *msg = schema_body_message("Pod", "v1", &e);
	CHECK_STR(msg, "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: "
		       "unknown field \"metadata.unknownMeta\", unknown field \"spec.unknown1\", "
		       "unknown field \"spec.containers[0].unknownNested\"");
	free(msg);
	schema_errors_free(&e);
	json_decref(obj);
}

static const char BASE[] = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
			   "\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\"}]}}";

/* mergePatchBody and jsonPatchBody of testFieldValidationPatchTyped, smpBody of
 * testFieldValidationSMP: the patch's own errors first, then the result's, sorted. */
static void patches(void)
{
	static const char merge[] =
		"{\"spec\":{\"unknown1\":\"val1\",\"unknownDupe\":\"valDupe\",\"unknownDupe\":"
		"\"valDupe2\",\"hostNetwork\":true,\"hostNetwork\":false,\"containers\":[{\"name\":"
		"\"nginx\",\"image\":\"nginx:latest\",\"unknownNested\":\"val1\","
		"\"imagePullPolicy\":"
		"\"Always\",\"imagePullPolicy\":\"Never\"}]}}";
	static const char merge_errors[] =
		"strict decoding error: duplicate field \"spec.unknownDupe\", duplicate field "
		"\"spec.hostNetwork\", duplicate field \"spec.containers[0].imagePullPolicy\", "
		"unknown field \"spec.containers[0].unknownNested\", unknown field "
		"\"spec.unknown1\", unknown field \"spec.unknownDupe\"";
	static const char jpatch[] =
		"[{\"op\":\"add\",\"path\":\"/spec/unknown1\",\"value\":\"val1\",\"foo\":\"bar\"},"
		"{\"op\":\"add\",\"path\":\"/spec/unknown2\",\"path\":\"/spec/"
		"unknown3\",\"value\":\"val1\"},"
		"{\"op\":\"add\",\"path\":\"/spec/unknownDupe\",\"value\":\"valDupe\"},"
		"{\"op\":\"add\",\"path\":\"/spec/unknownDupe\",\"value\":\"valDupe2\"},"
		"{\"op\":\"add\",\"path\":\"/spec/hostNetwork\",\"value\":true},"
		"{\"op\":\"add\",\"path\":\"/spec/hostNetwork\",\"value\":false},"
		"{\"op\":\"add\",\"path\":\"/spec/containers/0/unknownNested\",\"value\":\"val1\"},"
		"{\"op\":\"add\",\"path\":\"/spec/containers/0/"
		"imagePullPolicy\",\"value\":\"Always\"},"
		"{\"op\":\"add\",\"path\":\"/spec/containers/0/"
		"imagePullPolicy\",\"value\":\"Never\"}]";
	char err[256];
	json_error_t je;
	int dups;
	for (int t = 0; t < 3; t++) {
		const char *text = t == 1 ? jpatch : merge;
		enum schema_patch pt = t == 0	? SCHEMA_PATCH_MERGE
				       : t == 1 ? SCHEMA_PATCH_JSON
						: SCHEMA_PATCH_STRATEGIC;
		for (int m = 0; m < 3; m++) {
			enum schema_mode mode = m == 0	 ? SCHEMA_STRICT
						: m == 1 ? SCHEMA_WARN
							 : SCHEMA_IGNORE;
			struct schema_errors e = {0};
			json_t *base = J(BASE), *out = NULL;
			json_t *patch = schema_loadb(text, strlen(text), &dups, &je);
			CHECK_EQ_INT(dups, 1);
			int rc = t == 0	  ? patch_merge(base, patch, &out)
				 : t == 1 ? patch_json(base, patch, &out, err, sizeof(err))
					  : patch_strategic(base, patch, "", "Pod", &out, err,
							    sizeof(err));
			CHECK_EQ_INT(rc, 0);
			CHECK_EQ_INT(schema_decode_patch(out, "V1Pod", text, strlen(text), pt, dups,
							 mode, &e),
				     0);
			if (mode == SCHEMA_IGNORE)
				CHECK_EQ_INT(e.n, 0);
			else if (t == 1)
				CHECK_STR(strict(&e),
					  "strict decoding error: json patch unknown field "
					  "\"[0].foo\", "
					  "json patch duplicate field \"[1].path\", unknown field "
					  "\"spec.containers[0].unknownNested\", unknown field "
					  "\"spec.unknown1\", unknown field \"spec.unknown3\", "
					  "unknown "
					  "field \"spec.unknownDupe\"");
			else
				CHECK_STR(strict(&e), merge_errors);
			if (mode != SCHEMA_STRICT) /* a JSON patch leaves the image alone */
				CHECK_STR(
					D(json_object_get(out, "spec")),
					t == 1 ? "{\"containers\":[{\"name\":\"nginx\",\"image\":"
						 "\"nginx\","
						 "\"imagePullPolicy\":\"Never\"}],\"hostNetwork\":"
						 "false}"
					       : "{\"containers\":[{\"name\":\"nginx\",\"image\":"
						 "\"nginx:latest\",\"imagePullPolicy\":\"Never\"}],"
						 "\"hostNetwork\":false}");
			schema_errors_free(&e);
			json_decref(base);
			json_decref(patch);
			json_decref(out);
		}
	}
	/* a merge patch without duplicates is not scanned: only the result's errors */
	struct schema_errors e = {0};
	json_t *out = J("{\"spec\":{\"b\":1,\"a\":2}}");
	CHECK_EQ_INT(
		schema_decode_patch(out, "V1Pod", "{}", 2, SCHEMA_PATCH_MERGE, 0, SCHEMA_WARN, &e),
		0);
	CHECK_STR(strict(&e),
		  "strict decoding error: unknown field \"spec.a\", unknown field \"spec.b\"");
	CHECK_STR(D(out), "{\"spec\":{}}");
	schema_errors_free(&e);
	json_decref(out);
}

static void texts(void)
{
	struct schema_errors e = {0};
	json_t *patched = J("{\"spec\":{\"a\":1}}");
	json_t *patch =
		J("{\"spec\":{\"a\":1.5,\"b\":1e21,\"c\":1000000.0,\"d\":0.00001,\"e\":null,"
		  "\"f\":[1,\"x "
		  "y\",true],\"g\":{}},\"metadata\":{\"annotations\":{\"k\":\"v\\n\"}}}");
	CHECK_EQ_INT(schema_prune(patched, "V1Pod", &e), 0);
	json_t *st = schema_patch_status(patched, patch, SCHEMA_PATCH_STRATEGIC, &e);
	CHECK_STR(
		D(st),
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
		"\"message\":\" \\\"\\\" is invalid: patch: Invalid value: \\\"map[metadata:map["
		"annotations:map[k:v\\\\n]] spec:map[a:1.5 b:1e+21 c:1e+06 d:1e-05 e:<nil> f:[1 x "
		"y "
		"true] g:map[]]]\\\": strict decoding error: unknown field \\\"spec.a\\\"\","
		"\"reason\":\"Invalid\",\"details\":{\"causes\":[{\"reason\":\"FieldValueInvalid\","
		"\"message\":\"Invalid value: \\\"map[metadata:map[annotations:map[k:v\\\\n]] "
		"spec:map[a:1.5 b:1e+21 c:1e+06 d:1e-05 e:<nil> f:[1 x y true] g:map[]]]\\\": "
		"strict decoding error: unknown field \\\"spec.a\\\"\",\"field\":\"patch\"}]},"
		"\"code\":422}");
	json_decref(st);
	/* JSON and merge patches show the patched object */
	json_decref(patched);
	patched = J("{\"spec\":{\"a\":\"<\\\"\"}}");
	st = schema_patch_status(patched, patch, SCHEMA_PATCH_MERGE, &e);
	CHECK_STR(json_string_value(json_object_get(st, "message")),
		  " \"\" is invalid: patch: Invalid value: "
		  "\"{\\\"spec\\\":{\\\"a\\\":\\\"<\\\\\\\"\\\"}}\": "
		  "strict decoding error: unknown field \"spec.a\"");
	json_decref(st);
	schema_errors_free(&e);
	json_decref(patched);
	json_decref(patch);

	/* CreateOptions.meta.k8s.io "" is invalid (ValidateFieldValidation) */
	st = schema_options_status("CreateOptions", "strict");
	CHECK_STR(
		D(st),
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
		"\"message\":\"CreateOptions.meta.k8s.io \\\"\\\" is invalid: fieldValidation: "
		"Unsupported value: \\\"strict\\\": supported values: \\\"\\\", \\\"Ignore\\\", "
		"\\\"Strict\\\", \\\"Warn\\\"\",\"reason\":\"Invalid\",\"details\":{\"group\":"
		"\"meta.k8s.io\",\"kind\":\"CreateOptions\",\"causes\":[{\"reason\":"
		"\"FieldValueNotSupported\",\"message\":\"Unsupported value: \\\"strict\\\": "
		"supported values: \\\"\\\", \\\"Ignore\\\", \\\"Strict\\\", \\\"Warn\\\"\","
		"\"field\":\"fieldValidation\"}]},\"code\":422}");
	json_decref(st);

	enum schema_mode m = SCHEMA_STRICT;
	CHECK_EQ_INT(schema_mode_parse(NULL, &m), 0);
	CHECK_EQ_INT(m, SCHEMA_WARN);
	CHECK_EQ_INT(schema_mode_parse("", &m), 0);
	CHECK_EQ_INT(m, SCHEMA_WARN);
	CHECK_EQ_INT(schema_mode_parse("Ignore", &m), 0);
	CHECK_EQ_INT(m, SCHEMA_IGNORE);
	CHECK_EQ_INT(schema_mode_parse("Strict", &m), 0);
	CHECK_EQ_INT(m, SCHEMA_STRICT);
	CHECK_EQ_INT(schema_mode_parse("strict", &m), -EINVAL);
	CHECK_EQ_INT(schema_mode_parse("true", &m), -EINVAL);
}

/* {"kk..k00": true, ...}: n keys, each pad k's and its number. */
static json_t *many_keys(int n, size_t pad)
{
	json_t *o = json_object();
	char k[320];
	memset(k, 'k', pad);
	for (int i = 0; i < n; i++) {
		snprintf(k + pad, sizeof(k) - pad, "%02d", i);
		json_object_set_new(o, k, json_true());
	}
	return o;
}

static void release(char **hdr, size_t n, struct schema_errors *e, json_t *o)
{
	for (size_t i = 0; i < n; i++)
		free(hdr[i]);
	schema_errors_free(e);
	json_decref(o);
}

/* Paths are strconv.Quote'd; warnings are net.NewWarningHeader(299, "-", text). */
static void quoting_and_warnings(void)
{
	struct schema_errors e = {0};
	char *hdr[SCHEMA_MAX_ERRORS];
	json_t *o = J("{\"a\\u0001b\":1,\"\\u00fc\\\"\":2,\"\\u00a0\\\\\":3,\"tab\\t\":4}");
	CHECK_EQ_INT(schema_prune(o, "V1ConfigMap", &e), 0);
	CHECK_STR(strict(&e), "strict decoding error: unknown field \"a\\x01b\", unknown field "
			      "\"\xc3\xbc\\\"\", unknown field \"\\u00a0\\\\\", unknown field "
			      "\"tab\\t\"");
	size_t n = schema_warnings(&e, hdr);
	CHECK_EQ_INT(n, 4);
	CHECK_STR(hdr[0], "299 - \"unknown field \\\"a\\\\x01b\\\"\"");
	CHECK_STR(hdr[1], "299 - \"unknown field \\\"\xc3\xbc\\\\\\\"\\\"\"");
	release(hdr, n, &e, o);

	/* 20 warnings of 300 runes pass 4096: the recorder cuts each to 256 runes and
	 * stops once 4096 are written (16 of them) */
	o = many_keys(20, 270);
	CHECK_EQ_INT(schema_prune(o, "V1ConfigMap", &e), 0);
	CHECK_EQ_INT(e.n, 20);
	n = schema_warnings(&e, hdr);
	CHECK_EQ_INT(n, 16);
	/* the opening quote of the path is escaped; the closing one is cut off */
	CHECK_EQ_INT(strlen(hdr[0]), strlen("299 - \"\"") + 256 + 1);
	CHECK(strncmp(hdr[15], "299 - \"unknown field \\\"kkk", 26) == 0);
	release(hdr, n, &e, o);

	/* at most 100 errors, as sigs.k8s.io/json keeps; repeated ones once */
	o = many_keys(150, 1);
	CHECK_EQ_INT(schema_prune(o, "V1ConfigMap", &e), 0);
	CHECK_EQ_INT(e.n, SCHEMA_MAX_ERRORS);
	CHECK_EQ_INT(json_object_size(o), 0);
	schema_errors_free(&e);
	json_decref(o);
	const char *rep =
		"{\"x\":1,\"x\":2,\"x\":3,\"data\":{\"k\":\"1\",\"k\":\"2\",\"k\":\"3\"}}";
	CHECK_EQ_INT(schema_scan(rep, strlen(rep), "V1ConfigMap", &e), 0);
	CHECK_STR(strict(&e),
		  "strict decoding error: unknown field \"x\", duplicate field \"data.k\"");
	schema_errors_free(&e);
}

int main(void)
{
	RUN(every_kind_has_a_type);
	RUN(prune_keeps_only_declared_fields);
	RUN(deep_unknown_field_is_dropped);
	RUN(body_in_three_modes);
	RUN(patches);
	RUN(texts);
	RUN(quoting_and_warnings);
	return t_done();
}
