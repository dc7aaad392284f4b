/* publish.c - atomic file publication (see publish.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "publish.h"

static int fail(md_publish_err *e, const char *step)
{
	e->step = step;
	e->err = errno ? errno : EIO;
	return -1;
}

int md_publish(const char *path, mode_t mode, int sync, md_publish_fn fn, void *arg,
               md_publish_err *e)
{
	char dir[4096], tmp[4200];
	static unsigned seq;
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return fail(e, "create a temporary file in");
	}
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(tmp, sizeof tmp, "%s.tmp-%d-%u", path, (int)getpid(),
	         __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	const char *d = !slash ? "." : dir[0] ? dir : "/";
	int fd = open(d, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	int named = 0;
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		/* a file system without O_TMPFILE */
		unlink(tmp);   /* left by an earlier process with our pid */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		named = 1;
	}
	if (fd < 0)
		return fail(e, "create a temporary file in");
	const char *step = "write";
	errno = 0;
	if (fn(fd, arg) != 0)
		goto out;
	step = "chmod";
	if (fchmod(fd, mode) != 0)
		goto out;
	step = "fsync";
	if (sync && fsync(fd) != 0)
		goto out;
	if (!named) {
		char self[64];
		snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
		unlink(tmp);
		step = "link";
		if (linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0)
			goto out;
		named = 1;
	}
	step = "close";
	{
		int f = fd;
		fd = -1;
		if (close(f) != 0)
			goto out;
	}
	step = "rename";
	if (rename(tmp, path) == 0)
		return 0;
out:
	fail(e, step);
	if (fd >= 0)
		close(fd);
	if (named)
		unlink(tmp);
	errno = e->err;
	return -1;
}

int md_publish_check(const char *path, md_publish_err *e)
{
	char dir[4096], tmp[4200];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return fail(e, "rename");
	}
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		errno = ENAMETOOLONG;
		return fail(e, "create a temporary file in");
	}
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	const char *d = !slash ? "." : dir[0] ? dir : "/";
	int fd = open(d, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		snprintf(tmp, sizeof tmp, "%s.tmp-%d-check", path, (int)getpid());
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0)
			unlink(tmp);
	}
	if (fd < 0)
		return fail(e, "create a temporary file in");
	close(fd);
	return 0;
}
