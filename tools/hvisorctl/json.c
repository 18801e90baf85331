// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - a small strict recursive-descent JSON parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvisorctl.h"
#include "json.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct parser {
	const unsigned char *p;
	const unsigned char *end;
	unsigned int line;
	unsigned int col;
	unsigned int depth;
	char *err;
	size_t errlen;
};

/* A growable byte buffer for decoded strings. */
struct sbuf {
	char *buf;
	size_t len;
	size_t cap;
};

static int parse_value(struct parser *ps, struct json_value *v);

static int vfail_at(struct parser *ps, unsigned int line, unsigned int col,
		    const char *fmt, va_list ap)
{
	char msg[160];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(ps->err, ps->errlen, "%u:%u: %s", line, col, msg);
	return -1;
}

/* Record an error at line:col; returns -1. */
static __printf(4, 5) int fail_at(struct parser *ps, unsigned int line,
				  unsigned int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(ps, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

/* Record an error at the current position; returns -1. */
static __printf(2, 3) int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(ps, ps->line, ps->col, fmt, ap);
	va_end(ap);
	return -1;
}

static int at_end(const struct parser *ps)
{
	return ps->p >= ps->end;
}

/* Step over one byte; columns count characters, not bytes. */
static void advance(struct parser *ps)
{
	unsigned char c = *ps->p++;

	if (c == '\n') {
		ps->line++;
		ps->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		ps->col++;
	}
}

static void skip_ws(struct parser *ps)
{
	while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' ||
			       *ps->p == '\n' || *ps->p == '\r'))
		advance(ps);
}

static int fail_unexpected(struct parser *ps, const char *what)
{
	unsigned char c;

	if (at_end(ps))
		return fail(ps, "unexpected end of input, expected %s", what);
	c = *ps->p;
	if (c >= 0x20 && c < 0x7f)
		return fail(ps, "unexpected '%c', expected %s", c, what);
	return fail(ps, "unexpected byte 0x%02x, expected %s", c, what);
}

static int sbuf_add(struct sbuf *sb, const char *s, size_t n)
{
	char *nb;
	size_t ncap;

	if (sb->len + n + 1 > sb->cap) {
		ncap = sb->cap ? sb->cap * 2 : 32;
		while (ncap < sb->len + n + 1)
			ncap *= 2;
		nb = realloc(sb->buf, ncap);
		if (!nb)
			return -1;
		sb->buf = nb;
		sb->cap = ncap;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

static int sbuf_add_cp(struct sbuf *sb, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return sbuf_add(sb, u, n);
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned long cp;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	cp = p[0] & (0x3f >> (n - 1));
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int hex4(struct parser *ps, unsigned long *out)
{
	unsigned long v = 0;
	int i, c;

	for (i = 0; i < 4; i++) {
		if (at_end(ps))
			return fail_unexpected(ps, "4 hex digits after \\u");
		c = *ps->p;
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return fail_unexpected(ps, "4 hex digits after \\u");
		v = v << 4 | (unsigned long)c;
		advance(ps);
	}
	*out = v;
	return 0;
}

/* \u escape; ps->p is after the 'u'. */
static int parse_uescape(struct parser *ps, struct sbuf *sb,
			 unsigned int line, unsigned int col)
{
	unsigned long cp, lo;

	if (hex4(ps, &cp))
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail_at(ps, line, col, "lone low surrogate \\u%04lx",
			       cp);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' ||
		    ps->p[1] != 'u')
			return fail_at(ps, line, col,
				       "high surrogate \\u%04lx not followed by a low one",
				       cp);
		advance(ps);
		advance(ps);
		if (hex4(ps, &lo))
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail_at(ps, line, col,
				       "high surrogate \\u%04lx not followed by a low one",
				       cp);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return fail_at(ps, line, col, "\\u0000 is not supported");
	if (sbuf_add_cp(sb, cp))
		return fail(ps, "out of memory");
	return 0;
}

static int parse_escape(struct parser *ps, struct sbuf *sb)
{
	unsigned int line = ps->line, col = ps->col;
	char c;

	advance(ps);	/* the backslash */
	if (at_end(ps))
		return fail_unexpected(ps, "an escape character");
	switch (*ps->p) {
	case '"':
	case '\\':
	case '/':
		c = (char)*ps->p;
		break;
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case 'n':
		c = '\n';
		break;
	case 'r':
		c = '\r';
		break;
	case 't':
		c = '\t';
		break;
	case 'u':
		advance(ps);
		return parse_uescape(ps, sb, line, col);
	default:
		if (*ps->p >= 0x20 && *ps->p < 0x7f)
			return fail_at(ps, line, col, "invalid escape '\\%c'",
				       *ps->p);
		return fail_at(ps, line, col, "invalid escape");
	}
	advance(ps);
	if (sbuf_add(sb, &c, 1))
		return fail(ps, "out of memory");
	return 0;
}

/* A string; ps->p is at the opening quote. */
static int parse_string(struct parser *ps, char **out)
{
	unsigned int line = ps->line, col = ps->col;
	struct sbuf sb = { NULL, 0, 0 };
	size_t n;

	advance(ps);
	if (sbuf_add(&sb, "", 0))
		return fail(ps, "out of memory");
	for (;;) {
		if (at_end(ps)) {
			fail_at(ps, line, col, "unterminated string");
			goto err;
		}
		if (*ps->p == '"')
			break;
		if (*ps->p == '\\') {
			if (parse_escape(ps, &sb))
				goto err;
			continue;
		}
		if (*ps->p < 0x20) {
			fail(ps, "control character 0x%02x in string (use an escape)",
			     *ps->p);
			goto err;
		}
		n = utf8_len(ps->p, ps->end);
		if (!n) {
			fail(ps, "invalid UTF-8 in string");
			goto err;
		}
		if (sbuf_add(&sb, (const char *)ps->p, n)) {
			fail(ps, "out of memory");
			goto err;
		}
		while (n--)
			advance(ps);
	}
	advance(ps);
	*out = sb.buf;
	return 0;
err:
	free(sb.buf);
	return -1;
}

static int is_digit(const struct parser *ps)
{
	return !at_end(ps) && *ps->p >= '0' && *ps->p <= '9';
}

/*
 * hvisor-tool's documentation has shown MAC bytes as bare 0x3e, which no
 * JSON parser reads (cJSON stops at the x): say what to write instead.
 */
static int fail_hex(struct parser *ps, const unsigned char *start)
{
	unsigned int col = ps->col - (unsigned int)(ps->p - start);
	const unsigned char *p = ps->p + 1;

	while (p < ps->end && p - start < 18 &&
	       ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		(*p >= 'A' && *p <= 'F')))
		p++;
	return fail_at(ps, ps->line, col,
		       "hexadecimal number: JSON has none, write it as a string (\"%.*s\", as hvisor-tool's examples do)",
		       (int)(p - start), (const char *)start);
}

static int parse_number(struct parser *ps, struct json_value *v)
{
	const unsigned char *start = ps->p;

	if (*ps->p == '-')
		advance(ps);
	if (!is_digit(ps))
		return fail_unexpected(ps, "a digit");
	if (*ps->p == '0') {
		advance(ps);
		if (!at_end(ps) && (*ps->p == 'x' || *ps->p == 'X'))
			return fail_hex(ps, start);
		if (is_digit(ps))
			return fail(ps,
				    "leading zero in number (write hex or octal numbers as strings)");
	} else {
		while (is_digit(ps))
			advance(ps);
	}
	if (!at_end(ps) && *ps->p == '.') {
		advance(ps);
		if (!is_digit(ps))
			return fail_unexpected(ps, "a digit after '.'");
		while (is_digit(ps))
			advance(ps);
	}
	if (!at_end(ps) && (*ps->p == 'e' || *ps->p == 'E')) {
		advance(ps);
		if (!at_end(ps) && (*ps->p == '+' || *ps->p == '-'))
			advance(ps);
		if (!is_digit(ps))
			return fail_unexpected(ps, "a digit in the exponent");
		while (is_digit(ps))
			advance(ps);
	}
	v->type = JSON_NUMBER;
	v->str = strndup((const char *)start, (size_t)(ps->p - start));
	if (!v->str)
		return fail(ps, "out of memory");
	return 0;
}

static int parse_literal(struct parser *ps, struct json_value *v)
{
	static const struct {
		const char *word;
		enum json_type type;
		int boolean;
	} lit[] = {
		{ "true", JSON_BOOL, 1 },
		{ "false", JSON_BOOL, 0 },
		{ "null", JSON_NULL, 0 },
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(lit); i++) {
		n = strlen(lit[i].word);
		if ((size_t)(ps->end - ps->p) >= n &&
		    !memcmp(ps->p, lit[i].word, n)) {
			while (n--)
				advance(ps);
			v->type = lit[i].type;
			v->boolean = lit[i].boolean;
			return 0;
		}
	}
	if ((*ps->p >= 'a' && *ps->p <= 'z') || (*ps->p >= 'A' && *ps->p <= 'Z'))
		return fail(ps, "invalid literal (expected true, false or null)");
	return fail_unexpected(ps, "a value");
}

static int add_item(struct parser *ps, struct json_value *v,
		    struct json_value **item)
{
	struct json_value *n;

	n = realloc(v->items, (v->count + 1) * sizeof(*n));
	if (!n)
		return fail(ps, "out of memory");
	v->items = n;
	*item = &n[v->count++];
	memset(*item, 0, sizeof(**item));
	return 0;
}

static int parse_array(struct parser *ps, struct json_value *v)
{
	struct json_value *item;

	v->type = JSON_ARRAY;
	advance(ps);
	skip_ws(ps);
	if (!at_end(ps) && *ps->p == ']') {
		advance(ps);
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		if (add_item(ps, v, &item) || parse_value(ps, item))
			return -1;
		skip_ws(ps);
		if (at_end(ps) || (*ps->p != ',' && *ps->p != ']'))
			return fail_unexpected(ps, "',' or ']'");
		if (*ps->p == ']')
			break;
		advance(ps);
		skip_ws(ps);
		if (!at_end(ps) && *ps->p == ']')
			return fail(ps, "trailing comma in array");
	}
	advance(ps);
	return 0;
}

static int parse_object(struct parser *ps, struct json_value *v)
{
	struct json_value *item;
	unsigned int line, col;
	char *key;
	size_t i;

	v->type = JSON_OBJECT;
	advance(ps);
	skip_ws(ps);
	if (!at_end(ps) && *ps->p == '}') {
		advance(ps);
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		if (at_end(ps) || *ps->p != '"')
			return fail_unexpected(ps, "a string key");
		line = ps->line;
		col = ps->col;
		if (parse_string(ps, &key))
			return -1;
		for (i = 0; i < v->count; i++) {
			if (!strcmp(v->items[i].key, key)) {
				fail_at(ps, line, col,
					"duplicate key \"%.40s\" (first at %u:%u)",
					key, v->items[i].key_line,
					v->items[i].key_col);
				free(key);
				return -1;
			}
		}
		if (add_item(ps, v, &item)) {
			free(key);
			return -1;
		}
		item->key = key;
		item->key_line = line;
		item->key_col = col;
		skip_ws(ps);
		if (at_end(ps) || *ps->p != ':')
			return fail_unexpected(ps, "':'");
		advance(ps);
		skip_ws(ps);
		if (parse_value(ps, item))
			return -1;
		skip_ws(ps);
		if (at_end(ps) || (*ps->p != ',' && *ps->p != '}'))
			return fail_unexpected(ps, "',' or '}'");
		if (*ps->p == '}')
			break;
		advance(ps);
		skip_ws(ps);
		if (!at_end(ps) && *ps->p == '}')
			return fail(ps, "trailing comma in object");
	}
	advance(ps);
	return 0;
}

static int parse_value(struct parser *ps, struct json_value *v)
{
	int ret;

	v->line = ps->line;
	v->col = ps->col;
	if (at_end(ps))
		return fail_unexpected(ps, "a value");
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > JSON_MAX_DEPTH)
			return fail(ps, "nesting too deep (max %d)",
				    JSON_MAX_DEPTH);
		if (*ps->p == '{')
			ret = parse_object(ps, v);
		else
			ret = parse_array(ps, v);
		ps->depth--;
		return ret;
	case '"':
		v->type = JSON_STRING;
		return parse_string(ps, &v->str);
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, v);
		return parse_literal(ps, v);
	}
}

static void json_free_inner(struct json_value *v)
{
	size_t i;

	for (i = 0; i < v->count; i++) {
		json_free_inner(&v->items[i]);
		free(v->items[i].key);
	}
	free(v->items);
	free(v->str);
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	json_free_inner(v);
	free(v);
}

struct json_value *json_parse(const char *text, size_t len,
			      char *err, size_t errlen)
{
	struct parser ps = {
		.p = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.line = 1,
		.col = 1,
		.err = err,
		.errlen = errlen,
	};
	struct json_value *v;

	/* tolerate a UTF-8 byte order mark */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		ps.p += 3;
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	skip_ws(&ps);
	if (parse_value(&ps, v))
		goto err;
	skip_ws(&ps);
	if (!at_end(&ps)) {
		fail(&ps, "trailing characters after the JSON value");
		goto err;
	}
	return v;
err:
	json_free(v);
	return NULL;
}

struct json_value *json_parse_file(const char *path, char *err, size_t errlen)
{
	int is_stdin = !strcmp(path, "-");
	struct json_value *v = NULL;
	char *buf = NULL, *nb, msg[200];
	size_t len = 0, cap;
	struct stat st;
	ssize_t n;
	int fd;

	if (is_stdin) {
		/* standard input: a pipe, a terminal, or a file */
		path = JSON_STDIN_NAME;
		fd = dup(STDIN_FILENO);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, errno_str(errno));
		goto out;
	}
	if (!is_stdin && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	/*
	 * Read up to JSON_MAX_SIZE + 1 bytes, into a buffer the size of the
	 * file and one byte (not a megabyte for every small file), doubled
	 * if the file has grown. A size of 0 may be a file of /proc, which
	 * must be read at once: all JSON_MAX_SIZE + 1 bytes then.
	 */
	cap = JSON_MAX_SIZE + 1;
	if (st.st_size > 0 && st.st_size < JSON_MAX_SIZE)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len > JSON_MAX_SIZE)
			break;
		if (len < cap)
			continue;
		cap = cap > JSON_MAX_SIZE / 2 ? JSON_MAX_SIZE + 1 : cap * 2;
		nb = realloc(buf, cap);
		if (!nb) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out;
		}
		buf = nb;
	}
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, errno_str(errno));
		goto out;
	}
	if (len > JSON_MAX_SIZE) {
		snprintf(err, errlen, "%s: file too large (max %d bytes)",
			 path, JSON_MAX_SIZE);
		goto out;
	}
	v = json_parse(buf, len, msg, sizeof(msg));
	if (!v)
		snprintf(err, errlen, "%s:%s", path, msg);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return v;
}

const struct json_value *json_get(const struct json_value *obj,
				  const char *key)
{
	size_t i;

	if (obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->count; i++)
		if (!strcmp(obj->items[i].key, key))
			return &obj->items[i];
	return NULL;
}

const char *json_type_name(enum json_type type)
{
	static const char *const names[] = {
		[JSON_NULL] = "null",
		[JSON_BOOL] = "a boolean",
		[JSON_NUMBER] = "a number",
		[JSON_STRING] = "a string",
		[JSON_ARRAY] = "an array",
		[JSON_OBJECT] = "an object",
	};

	return names[type];
}

void json_print_string(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Compact form, members in file order: for tests. */
void json_print(FILE *f, const struct json_value *v)
{
	size_t i;

	switch (v->type) {
	case JSON_NULL:
		fputs("null", f);
		break;
	case JSON_BOOL:
		fputs(v->boolean ? "true" : "false", f);
		break;
	case JSON_NUMBER:
		fputs(v->str, f);
		break;
	case JSON_STRING:
		json_print_string(f, v->str);
		break;
	case JSON_ARRAY:
	case JSON_OBJECT:
		fputc(v->type == JSON_ARRAY ? '[' : '{', f);
		for (i = 0; i < v->count; i++) {
			if (i)
				fputc(',', f);
			if (v->type == JSON_OBJECT) {
				json_print_string(f, v->items[i].key);
				fputc(':', f);
			}
			json_print(f, &v->items[i]);
		}
		fputc(v->type == JSON_ARRAY ? ']' : '}', f);
		break;
	}
}
