/*
 * yoke-verify PUBKEY SIG MESSAGE: exit 0 when SIG (64 raw bytes) is a valid Ed25519 signature
 * of MESSAGE by PUBKEY (32 raw bytes), 1 when it is not, 2 on bad input.
 *
 * Runs inside the appliance, whose busybox has no public-key crypto. Linked statically against
 * libsodium (Debian's libsodium-dev ships libsodium.a) rather than vendoring an implementation:
 * an audited library, and nothing copied into this repository. Built by scripts/setup.sh.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned char *slurp(const char *path, size_t *len, size_t max) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *buf = malloc(max + 1);
  if (!buf) { fclose(f); return NULL; }
  *len = fread(buf, 1, max + 1, f);
  fclose(f);
  if (*len > max) { free(buf); return NULL; }
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: yoke-verify PUBKEY SIG MESSAGE\n"); return 2; }
  if (sodium_init() < 0) return 2;
  size_t pklen, siglen, msglen;
  unsigned char *pk = slurp(argv[1], &pklen, 64), *sig = slurp(argv[2], &siglen, 128), *msg = slurp(argv[3], &msglen, 1 << 20);
  if (!pk || pklen != crypto_sign_PUBLICKEYBYTES) { fprintf(stderr, "yoke-verify: %s is not a 32-byte public key\n", argv[1]); return 2; }
  if (!sig || siglen != crypto_sign_BYTES) { fprintf(stderr, "yoke-verify: %s is not a 64-byte signature\n", argv[2]); return 1; }
  if (!msg) { fprintf(stderr, "yoke-verify: cannot read %s (or it is over 1 MiB)\n", argv[3]); return 2; }
  if (crypto_sign_verify_detached(sig, msg, msglen, pk) != 0) { fprintf(stderr, "yoke-verify: bad signature\n"); return 1; }
  return 0;
}
