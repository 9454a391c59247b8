"""Request orchestration: resolve the model, admit and reserve, call the provider, settle."""
