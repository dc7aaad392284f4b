/* fuzz_util.h - shared by the libFuzzer harnesses in tests/fuzz/.
 *
 * FUZZ_CHECK(cond, ...) aborts with a message when a property the rest of
 * mapdiag relies on does not hold: libFuzzer reports an abort as a crash
 * and saves the input, like an ASan or UBSan report.  FUZZ_VERBOSE=1 in
 * the environment makes a harness say what it found (to check by hand that
 * a seed reaches the code it is meant to).
 *
 * An input is consumed through a cursor: fz_u8/fz_u64/... take bytes from
 * the front and give 0 once it is empty, so every input is valid.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

static int fz_verbose;
#define FZ_SAY(...) do { if (fz_verbose) fprintf(stderr, __VA_ARGS__); } while (0)

static inline void fz_init_verbose(void)
{
	const char *v = getenv("FUZZ_VERBOSE");
	fz_verbose = v && *v && strcmp(v, "0") != 0;
}

typedef struct fz_in {
	const uint8_t *p;
	size_t n;
} fz_in;

static inline uint64_t fz_bytes(fz_in *in, unsigned k)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < k; i++) {
		uint64_t b = 0;
		if (in->n) {
			b = *in->p++;
			in->n--;
		}
		v |= b << (8 * i);
	}
	return v;
}
static inline uint8_t fz_u8(fz_in *in) { return (uint8_t)fz_bytes(in, 1); }
static inline uint16_t fz_u16(fz_in *in) { return (uint16_t)fz_bytes(in, 2); }
static inline uint32_t fz_u32(fz_in *in) { return (uint32_t)fz_bytes(in, 4); }
static inline uint64_t fz_u64(fz_in *in) { return fz_bytes(in, 8); }

/* A string field must end inside its array. */
#define FZ_TERMINATED(arr) (memchr((arr), '\0', sizeof (arr)) != NULL)

/* n bytes of our own memory for an arena (aborts if there is none). */
static inline unsigned char *fz_arena(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	return p;
}

/* The input as a file (a memfd of `name`), for what opens files. */
static inline int fz_memfd(const char *name, const uint8_t *data, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}
	return fd;
}

#endif
