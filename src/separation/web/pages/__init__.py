"""Server-rendered HTML pages over the register: staff pages behind a session, and public pages."""
