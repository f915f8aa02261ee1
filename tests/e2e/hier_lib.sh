# hier_lib.sh - the state file of the hierarchy e2e files (sourced after lib.sh):
#   hier_state FILE PARENT "ROLE..." "ID:NAME:PARENT"...
# writes FILE: the organization 1000000001 (example.com) with user:admin@example.com
# granted each ROLE on it, the folders given (PARENT "organizations/N" or "folders/N"),
# and the demo state with demo-project under PARENT.
hier_state() {
	_out=$1 _parent=$2 _roles=$3
	shift 3
	{
		printf 'organizations:\n  - id: "1000000001"\n    displayName: example.com\n'
		printf '    iamPolicy:\n      bindings:\n'
		for _r in $_roles; do
			printf '        - role: %s\n          members: [user:admin@example.com]\n' "$_r"
		done
		printf 'folders:\n'
		for _f in "$@"; do
			IFS=: read -r _id _name _p <<<"$_f"
			printf '  - id: "%s"\n    displayName: %s\n    parent: %s\n' "$_id" "$_name" "$_p"
		done
		sed 's|^  - projectId: demo-project$|&\n    parent: '"$_parent"'|' "$ROOT/data/demo.yaml"
	} >"$_out"
}
