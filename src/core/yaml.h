/*
 * yaml.h - YAML documents as jansson JSON values, through libyaml.
 *
 * For state files and manifests that users write. Plain scalars become JSON by the
 * YAML 1.2 core schema (true/false, null/~, integers, floats); quoted scalars stay
 * strings. Anchors and aliases are refused (they are not needed and invite bombs).
 */
#ifndef GKEID_YAML_H
#define GKEID_YAML_H

#include <jansson.h>
#include <stddef.h>

/* Parses the first document of text. Returns 0 and a new reference in *out (an empty
 * document gives JSON null), or -EINVAL with a message "line L column C: ..." in err. */
int yaml_to_json(const char *text, size_t len, json_t **out, char *err, size_t errlen);

#endif
