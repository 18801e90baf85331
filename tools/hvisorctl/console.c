// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - "hvisorctl console NAME": attach to a console device's tty
 * without screen(1). The tty replays the zone's latest output to its
 * first opener; then standard input goes to the zone and the zone's
 * output to standard output, byte for byte, until the detach key
 * (Ctrl-]), end of standard input or a hangup of the tty (the device was
 * removed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hvisorctl.h"

/* Ctrl-], as telnet's and virsh console's. */
#define DETACH_KEY	0x1d
#define RELAY_BUF	4096

static struct termios saved_tio;
static int saved_tio_set;

static void restore_stdin(void)
{
	if (saved_tio_set)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	saved_tio_set = 0;
}

static void on_signal(int sig)
{
	restore_stdin();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Write all of @buf to @fd; 0, or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				poll(&p, 1, -1);
				continue;
			}
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * The tty of console @name: its path in @path. @name is a device of the
 * sysfs class (console0) or, for tests and odd setups, a path to a tty.
 * Returns 0, or an exit status after a message.
 */
static int console_path(const char *name, char *path, size_t len)
{
	char type[64], backend[64];

	if (name[0] == '/') {
		snprintf(path, len, "%s", name);
		return 0;
	}
	if (!name[0] || strchr(name, '/') || name[0] == '.') {
		err_msg("console: '%s': not a device name (see hvisorctl list)",
			name);
		return EXIT_USAGE;
	}
	if (sysfs_attr(name, "type", type, sizeof(type))) {
		err_msg("console: %s: no such device in %s (see hvisorctl list)",
			name, sysfs_root());
		return EXIT_FAIL;
	}
	if (strcmp(type, "console")) {
		err_msg("console: %s: a %s device, not a console", name, type);
		return EXIT_USAGE;
	}
	if (sysfs_attr(name, "backend", backend, sizeof(backend)) ||
	    strncmp(backend, "ttyHV", 5)) {
		err_msg("console: %s: no tty (the device is being removed?)",
			name);
		return EXIT_FAIL;
	}
	snprintf(path, len, "/dev/%s", backend);
	return 0;
}

/* Standard input raw, if it is a terminal, restored at exit. */
static int stdin_raw(void)
{
	struct termios tio;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &saved_tio))
		return -1;
	tio = saved_tio;
	cfmakeraw(&tio);
	saved_tio_set = 1;
	atexit(restore_stdin);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGINT, on_signal);
	return tcsetattr(STDIN_FILENO, TCSANOW, &tio);
}

/*
 * Relay until the detach key, end of input or a hangup. Returns 0 or an
 * exit status after a message.
 */
static int relay(int tty, const char *path)
{
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = tty, .events = POLLIN },
	};
	char buf[RELAY_BUF], *key;
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			err_msg("console: poll: %s", errno_str(errno));
			return EXIT_FAIL;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(tty, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				restore_stdin();
				err_msg("console: %s: hung up (the device was removed)",
					path);
				return EXIT_FAIL;
			}
			if (write_all(STDOUT_FILENO, buf, n))
				return 0;	/* nobody reads our output */
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return 0;
			key = memchr(buf, DETACH_KEY, n);
			if (key)
				n = key - buf;
			if (n && write_all(tty, buf, n)) {
				restore_stdin();
				err_msg("console: %s: %s", path, errno_str(errno));
				return EXIT_FAIL;
			}
			if (key)
				return 0;
		}
	}
}

int cmd_console(int argc, char **argv)
{
	char path[256];
	struct termios tio;
	int tty, ret;

	if (argc != 2) {
		err_msg("console: %s (usage: hvisorctl console NAME)",
			argc < 2 ? "missing NAME" : "too many arguments");
		return EXIT_USAGE;
	}
	ret = console_path(argv[1], path, sizeof(path));
	if (ret)
		return ret;
	tty = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (tty < 0) {
		err_msg("console: %s: %s%s", path, errno_str(errno),
			errno == EACCES ? " (run as root?)" : "");
		return EXIT_FAIL;
	}
	/* Byte-transparent, without flushing what the tty replays. */
	if (!tcgetattr(tty, &tio)) {
		cfmakeraw(&tio);
		tcsetattr(tty, TCSANOW, &tio);
	}
	if (stdin_raw()) {
		err_msg("console: standard input: %s", errno_str(errno));
		close(tty);
		return EXIT_FAIL;
	}
	if (isatty(STDIN_FILENO))
		fprintf(stderr, "hvisorctl: attached to %s; detach with Ctrl-]\r\n",
			path);
	ret = relay(tty, path);
	restore_stdin();
	close(tty);
	return ret;
}
