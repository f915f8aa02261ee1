#!/bin/bash
# test_policy_members.sh - setIamPolicy refuses members Google refuses (src/cloud/members.c,
# issue 14): a service account that does not exist ("Service account EMAIL does not
# exist.", as gcloud users quote Google in GoogleCloudPlatform/generative-ai#944) and a
# Workload Identity member whose pool does not exist ("Identity Pool does not exist
# (P.svc.id.goog)."), on a project's policy and on a service account's, through gcloud.
. "$(dirname "$0")/lib.sh"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
gkeid_up
P=$GKEID_PROJECT
NUM=$(gcloud projects describe "$P" --format='value(projectNumber)')
GSA=app-gsa@$P.iam.gserviceaccount.com
GHOST=ghost-sa@$P.iam.gserviceaccount.com
ok "create the GSA" sa_create app-gsa

out=$(gcloud projects add-iam-policy-binding "$P" --member="serviceAccount:$GHOST" --role=roles/viewer --condition=None 2>&1)
has "project: a service account that does not exist" \
	"INVALID_ARGUMENT: Service account $GHOST does not exist." "$out"
hasnt "... and nothing was bound" "$GHOST" "$(gcloud projects get-iam-policy "$P" --format=json 2>&1)"
out=$(gcloud iam service-accounts add-iam-policy-binding "$GSA" --member="serviceAccount:$GHOST" \
	--role=roles/iam.serviceAccountUser 2>&1)
has "service account: a service account that does not exist" \
	"INVALID_ARGUMENT: Service account $GHOST does not exist." "$out"
ok "the Compute Engine default account of the project exists" gcloud projects add-iam-policy-binding "$P" \
	--member="serviceAccount:$NUM-compute@developer.gserviceaccount.com" --role=roles/viewer --condition=None
ok "a Google service agent passes" gcloud projects add-iam-policy-binding "$P" \
	--member="serviceAccount:service-$NUM@gcp-sa-logging.iam.gserviceaccount.com" --role=roles/viewer --condition=None
ok "once created, it can be bound" sh -c "gcloud iam service-accounts create ghost-sa &&
	gcloud projects add-iam-policy-binding $P --member=serviceAccount:$GHOST --role=roles/viewer --condition=None"
ok "delete it" gcloud iam service-accounts delete "$GHOST"
out=$(gcloud projects add-iam-policy-binding "$P" --member="serviceAccount:$GHOST" --role=roles/editor --condition=None 2>&1)
has "deleted, it does not exist" "INVALID_ARGUMENT: Service account $GHOST does not exist." "$out"
ok "... while the policy holds it as deleted, other changes go through" gcloud projects add-iam-policy-binding "$P" \
	--member="serviceAccount:$GSA" --role=roles/viewer --condition=None

out=$(gcloud iam service-accounts add-iam-policy-binding "$GSA" --role=roles/iam.workloadIdentityUser \
	--member="serviceAccount:other-project.svc.id.goog[default/app]" 2>&1)
has "a pool with no cluster" "INVALID_ARGUMENT: Identity Pool does not exist (other-project.svc.id.goog)." "$out"
out=$(gcloud projects add-iam-policy-binding "$P" --role=roles/viewer --condition=None \
	--member="serviceAccount:other-project.svc.id.goog[default/app]" 2>&1)
has "... on a project's policy too" "INVALID_ARGUMENT: Identity Pool does not exist (other-project.svc.id.goog)." "$out"
ok "the demo cluster's pool exists" gcloud iam service-accounts add-iam-policy-binding "$GSA" \
	--role=roles/iam.workloadIdentityUser --member="serviceAccount:$P.svc.id.goog[default/app]"
r=$(api POST "/cloudresourcemanager/v1/projects/$P:setIamPolicy" \
	"{\"policy\":{\"bindings\":[{\"role\":\"roles/viewer\",\"members\":[\"serviceAccount:$GHOST\"]}]}}")
has "the API: 400" "HTTP 400" "$r"
has "the API: INVALID_ARGUMENT" '"status": "INVALID_ARGUMENT"' "$r"
finish
