/*
 * nosync: an LD_PRELOAD shim for make bench only (never built into optout),
 * like eatmydata: every flush returns at once.  bench-batch runs the same
 * batch with and without it to show what durability costs.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <unistd.h>

int fsync(int fd);
int fdatasync(int fd);
int syncfs(int fd);
void sync(void);

/* Pretend the file reached the disk. */
int
fsync(int fd)
{
	(void)fd;
	return 0;
}

/* Pretend the file's data reached the disk. */
int
fdatasync(int fd)
{
	(void)fd;
	return 0;
}

/* Pretend the file system was flushed. */
int
syncfs(int fd)
{
	(void)fd;
	return 0;
}

/* Pretend everything was flushed. */
void
sync(void)
{
}
