/*
 * Prints the default ports nDPI registers for the protocols it detects, one line each:
 *   name<TAB>tcp|udp<TAB>port<TAB>category
 * nDPI keeps these tables inside the library (ndpi_main.c calls ndpi_set_proto_defaults for each protocol) and
 * none of Debian's packages prints them, so `npm run evidence:update` (src/cli/evidence-update.ts) compiles this
 * file against the installed libndpi-dev and asks the library itself. Build by hand:
 *   cc -o ndpi-default-ports src/cli/ndpi-default-ports.c -lndpi
 */
#include <stdio.h>
#include <ndpi/ndpi_api.h>

int main(void) {
  struct ndpi_detection_module_struct *module = ndpi_init_detection_module(ndpi_no_prefs);
  if (module == NULL) return 1;
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(module, &all);
  ndpi_finalize_initialization(module);
  ndpi_proto_defaults_t *defaults = ndpi_get_proto_defaults(module);
  u_int count = ndpi_get_ndpi_num_supported_protocols(module);
  for (u_int i = 0; i < count; i++) {
    if (defaults[i].protoName == NULL) continue;
    const char *category = ndpi_category_get_name(module, defaults[i].protoCategory);
    for (int p = 0; p < MAX_DEFAULT_PORTS; p++) {
      if (defaults[i].tcp_default_ports[p] != 0)
        printf("%s\ttcp\t%u\t%s\n", defaults[i].protoName, defaults[i].tcp_default_ports[p], category);
      if (defaults[i].udp_default_ports[p] != 0)
        printf("%s\tudp\t%u\t%s\n", defaults[i].protoName, defaults[i].udp_default_ports[p], category);
    }
  }
  ndpi_exit_detection_module(module);
  return 0;
}
