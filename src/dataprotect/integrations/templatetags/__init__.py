"""Django template tag libraries of dataprotect."""
