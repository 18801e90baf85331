// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: hvisorctl's JSON parser (tools/hvisorctl/json.c).
 *
 * Any input: json_parse() returns a tree or NULL with a "LINE:COL:
 * message" error. A tree must be well formed (keys on object members
 * only, unique; strings and numbers present; depth within
 * JSON_MAX_DEPTH; positions from 1:1 on), json_get() must find each
 * member, and json_print() must print a text that parses again and
 * prints the same (a fixed point).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdp.h"
#include "json.h"

static void check_tree(const struct json_value *v, unsigned int depth)
{
	size_t i, j;

	fuzz_assert(v->line >= 1 && v->col >= 1);
	switch (v->type) {
	case JSON_NULL:
	case JSON_BOOL:
		fuzz_assert(!v->count && !v->items && !v->str);
		break;
	case JSON_NUMBER:
	case JSON_STRING:
		fuzz_assert(v->str && !v->count);
		if (v->type == JSON_NUMBER)
			fuzz_assert(strspn(v->str, "-+0123456789.eE") ==
				    strlen(v->str));
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		fuzz_assert(depth < JSON_MAX_DEPTH);
		fuzz_assert(!v->count == !v->items);
		for (i = 0; i < v->count; i++) {
			const struct json_value *it = &v->items[i];

			fuzz_assert(!it->key == (v->type == JSON_ARRAY));
			if (v->type == JSON_OBJECT) {
				fuzz_assert(it->key_line >= 1 && it->key_col >= 1);
				fuzz_assert(json_get(v, it->key) == it);
				for (j = 0; j < i; j++)
					fuzz_assert(strcmp(v->items[j].key,
							   it->key));
			}
			check_tree(it, depth + 1);
		}
		break;
	default:
		fuzz_assert(0);
	}
	fuzz_assert(json_type_name(v->type));
}

/* json_print() into a string; the caller frees it. */
static char *print(const struct json_value *v, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	fuzz_assert(f);
	json_print(f, v);
	fuzz_assert(!fclose(f));
	return buf;
}

int fuzz_one_input(const unsigned char *data, size_t size)
{
	struct json_value *v, *again;
	char err[160], err2[160];
	char *text, *text2;
	size_t len, len2;

	err[0] = '\0';
	v = json_parse((const char *)data, size, err, sizeof(err));
	if (!v) {
		unsigned int line, col;

		fuzz_assert(memchr(err, '\0', sizeof(err)));
		fuzz_assert(sscanf(err, "%u:%u: ", &line, &col) == 2 ||
			    !strcmp(err, "out of memory"));
		return 0;
	}
	check_tree(v, 0);
	text = print(v, &len);
	again = json_parse(text, len, err2, sizeof(err2));
	if (!again)
		fprintf(stderr, "printed %s\ndoes not parse: %s\n", text, err2);
	fuzz_assert(again);
	text2 = print(again, &len2);
	fuzz_assert(len == len2 && !memcmp(text, text2, len));
	free(text);
	free(text2);
	json_free(again);
	json_free(v);
	return 0;
}
