/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisorctl - a small strict JSON parser (RFC 8259).
 *
 * Strings are decoded to NUL-terminated UTF-8 (\u0000 is refused), numbers
 * are kept as their literal text, duplicate object keys are refused, and
 * every value remembers where it starts (1-based line and column, columns
 * counted in characters).
 */
#ifndef HVISORCTL_JSON_H
#define HVISORCTL_JSON_H

#include <stddef.h>
#include <stdio.h>

#ifndef __printf
/* printf format checking (the kernel's name for it) */
#define __printf(a, b)		__attribute__((format(printf, \
						      a, b)))
#endif

#define JSON_MAX_DEPTH		32
#define JSON_MAX_SIZE		(1024 * 1024)

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value {
	enum json_type type;
	unsigned int line;
	unsigned int col;
	int boolean;			/* BOOL */
	char *str;			/* STRING: decoded; NUMBER: literal */
	size_t count;			/* ARRAY, OBJECT: entries */
	struct json_value *items;	/* ARRAY, OBJECT: the entries */
	char *key;			/* member of an OBJECT: its key */
	unsigned int key_line;
	unsigned int key_col;
};

/* On error, return NULL with "LINE:COL: message" in @err. */
struct json_value *json_parse(const char *text, size_t len,
			      char *err, size_t errlen);
/*
 * Same for a file; errors are "PATH:LINE:COL: message" or "PATH: ...".
 * A PATH of "-" is standard input, named JSON_STDIN_NAME in errors.
 */
#define JSON_STDIN_NAME		"<stdin>"
struct json_value *json_parse_file(const char *path, char *err, size_t errlen);
void json_free(struct json_value *v);

const struct json_value *json_get(const struct json_value *obj,
				  const char *key);
const char *json_type_name(enum json_type type);
void json_print(FILE *f, const struct json_value *v);
/* @s as a JSON string, quoted and escaped. */
void json_print_string(FILE *f, const char *s);

#endif /* HVISORCTL_JSON_H */
