/*
 * yoke-unpatch OLD PATCH OUT [OLDSIZE]: rebuilds a file from OLD and a patch made on the host by
 * `zstd --patch-from=OLD NEW -o PATCH` (the old file is the decompression dictionary). OLDSIZE
 * reads only the first OLDSIZE bytes of OLD: a root image on a partition larger than itself.
 * Exit 0 on success. Runs inside the appliance to apply diff update packages; busybox has no
 * zstd. Linked statically against libzstd (Debian's libzstd-dev ships libzstd.a).
 */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *slurp(const char *path, size_t *len, long limit) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (limit >= 0) {
    if (limit > n) { fclose(f); return NULL; }
    n = limit;
  }
  void *buf = malloc(n ? (size_t)n : 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); return NULL; }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) { fprintf(stderr, "usage: yoke-unpatch OLD PATCH OUT [OLDSIZE]\n"); return 2; }
  long limit = -1;
  if (argc == 5) {
    char *end;
    limit = strtol(argv[4], &end, 10);
    if (*end || limit < 0) { fprintf(stderr, "yoke-unpatch: OLDSIZE %s is not a byte count\n", argv[4]); return 2; }
  }
  size_t oldlen, patchlen;
  void *old = slurp(argv[1], &oldlen, limit), *patch = slurp(argv[2], &patchlen, -1);
  if (!old || !patch) { fprintf(stderr, "yoke-unpatch: cannot read %s or %s\n", argv[1], argv[2]); return 2; }
  unsigned long long size = ZSTD_getFrameContentSize(patch, patchlen);
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) { fprintf(stderr, "yoke-unpatch: %s is not a zstd patch with a known size\n", argv[2]); return 2; }
  void *out = malloc(size ? size : 1);
  ZSTD_DCtx *d = ZSTD_createDCtx();
  /* --patch-from uses long windows; allow up to 2 GiB, as zstd --long=31 would. */
  ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 31);
  ZSTD_DCtx_refPrefix(d, old, oldlen);
  size_t n = ZSTD_decompressDCtx(d, out, size, patch, patchlen);
  if (ZSTD_isError(n) || n != size) { fprintf(stderr, "yoke-unpatch: %s\n", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short output"); return 1; }
  /* A block device (the other root partition) is written in place and flushed before exit 0. */
  FILE *f = fopen(argv[3], "wb");
  if (!f || fwrite(out, 1, n, f) != n || fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0) { fprintf(stderr, "yoke-unpatch: cannot write %s\n", argv[3]); return 2; }
  return 0;
}
