// Tests share process-wide state (loaded plugins, environment variables, live-object counters).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
