/* A shared library that is not a PJRT plugin: it exports no GetPjrtApi. */
int xlaprune_fake_not_a_plugin(void) { return 42; }
