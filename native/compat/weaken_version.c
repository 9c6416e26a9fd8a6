/*
 * Marks one version requirement of an ELF64 shared library as weak (VER_FLG_WEAK in its
 * Vernaux entry). glibc's loader reports a missing weak version as non-fatal, so a library
 * whose only use of that version was redirected elsewhere loads on an older system.
 *
 *   xlaprune_weaken_version FILE.so VERSION        e.g. libLibTorchSharp.so GLIBCXX_3.4.32
 *
 * Exit 0 when the entry is weak afterwards (also when it already was), 3 when the library does
 * not need VERSION, 1 on any error (message names the file).
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *path, const char *why) {
  fprintf(stderr, "xlaprune_weaken_version: %s: %s\n", path, why);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s FILE.so VERSION\n", argv[0]);
    return 2;
  }
  const char *path = argv[1], *version = argv[2];
  FILE *f = fopen(path, "r+b");
  if (f == NULL) return fail(path, "cannot open for update");
  if (fseek(f, 0, SEEK_END) != 0) return fail(path, "cannot seek");
  long size = ftell(f);
  if (size < (long)sizeof(Elf64_Ehdr)) return fail(path, "too small for an ELF header");
  unsigned char *image = malloc((size_t)size);
  if (image == NULL) return fail(path, "out of memory");
  rewind(f);
  if (fread(image, 1, (size_t)size, f) != (size_t)size) return fail(path, "cannot read");

  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) return fail(path, "not an ELF64 file");
  if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
      eh->e_shoff + (unsigned long)eh->e_shnum * sizeof(Elf64_Shdr) > (unsigned long)size)
    return fail(path, "bad section header table");
  const Elf64_Shdr *sections = (const Elf64_Shdr *)(image + eh->e_shoff);

  for (int s = 0; s < eh->e_shnum; s++) {
    const Elf64_Shdr *sh = &sections[s];
    if (sh->sh_type != SHT_GNU_verneed) continue;
    if (sh->sh_link >= eh->e_shnum) return fail(path, "bad string table link");
    const Elf64_Shdr *strtab = &sections[sh->sh_link];
    if (sh->sh_offset + sh->sh_size > (unsigned long)size || strtab->sh_offset + strtab->sh_size > (unsigned long)size)
      return fail(path, "section outside the file");
    unsigned long need = sh->sh_offset;
    for (;;) {
      if (need + sizeof(Elf64_Verneed) > sh->sh_offset + sh->sh_size) return fail(path, "truncated .gnu.version_r");
      Elf64_Verneed *vn = (Elf64_Verneed *)(image + need);
      unsigned long aux = need + vn->vn_aux;
      for (int a = 0; a < vn->vn_cnt; a++) {
        if (aux + sizeof(Elf64_Vernaux) > sh->sh_offset + sh->sh_size) return fail(path, "truncated Vernaux entry");
        Elf64_Vernaux *va = (Elf64_Vernaux *)(image + aux);
        if (va->vna_name < strtab->sh_size && strcmp((const char *)image + strtab->sh_offset + va->vna_name, version) == 0) {
          if ((va->vna_flags & VER_FLG_WEAK) == 0) {
            va->vna_flags |= VER_FLG_WEAK;
            long at = (long)((unsigned char *)&va->vna_flags - image);
            if (fseek(f, at, SEEK_SET) != 0 || fwrite(&va->vna_flags, sizeof va->vna_flags, 1, f) != 1 || fclose(f) != 0)
              return fail(path, "cannot write the flag");
          } else {
            fclose(f);
          }
          free(image);
          return 0;
        }
        if (va->vna_next == 0) break;
        aux += va->vna_next;
      }
      if (vn->vn_next == 0) break;
      need += vn->vn_next;
    }
  }
  fclose(f);
  free(image);
  fprintf(stderr, "xlaprune_weaken_version: %s: does not need %s\n", path, version);
  return 3;
}
