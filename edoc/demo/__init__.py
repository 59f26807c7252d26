"""The Đồng Nai demo data that `python manage.py seed_demo` loads (the other apps' demo data
comes through `edoc.hooks.register_demo_command`).

- `issuers`: the bodies whose documents the department receives, their signers and notations;
- `topics`: fields, the topics of incoming documents, the department's own outgoing topics;
- `builders`: the printed documents (`OfficialDocument`) made from them, pure functions;
- `organisation`: the agency, unit tree, demo users, fields and organisations, in the database;
- `documents`: the documents registered and handled through the services, backdated.
"""
