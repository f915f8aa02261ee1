#!/bin/sh
# check-layers.sh - fails when a file in src/ includes a header of a layer above its own.
# The order (src/README.md): core <- iam <- cloud <- kube <- node, doctor <- up <- cli.
# A folder may include its own headers and those of the layers below it; node and
# doctor, side by side, may not include each other.
cd "$(dirname "$0")/.." || exit 2
rank() {
	case $1 in
	core) echo 0 ;; iam) echo 1 ;; cloud) echo 2 ;; kube) echo 3 ;;
	node | doctor) echo 4 ;; up) echo 5 ;; cli) echo 6 ;; *) echo 99 ;;
	esac
}
bad=0
for f in src/*/*.[chS]; do
	from=${f#src/}
	from=${from%%/*}
	rf=$(rank "$from")
	for to in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
		[ "$to" = "$from" ] && continue
		rt=$(rank "$to")
		if [ "$rt" -ge "$rf" ]; then
			echo "check-layers: $f includes $to/ (layer $to is not below $from)"
			bad=1
		fi
	done
done
[ $bad -eq 0 ] && echo "check-layers: ok"
exit $bad
