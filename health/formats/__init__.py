"""Readers and writers of the files health records are imported from (pure: no models, no
database): QĐ 130 XML (`qd130`), immunisation exports (`vaccinations`), the record template
(`records`); `tables` finds a CSV/XLSX table's columns by their Vietnamese headings."""
