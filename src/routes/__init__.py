"""Nepal Migration Routes Atlas: route records to flows, corridors, maps, guidance and exports.

Modules, from the record up (imports go one way, towards ``schema``):

- ``schema``, ``periods``: the record's columns and validation; BS/AD periods.
- ``gazetteer``: place names to places; ``geo``: arcs and geometry.
- ``io``, ``mapping``, ``store``: reading uploads, mapping columns, the dataset store.
- ``dofe``, ``synthetic``, ``documented``, ``datasets``: the shipped datasets.
- ``filters``, ``engine``, ``flows``, ``views``: the view state, totals over the records'
  dictionary codes (DuckDB for paths and records), flows and corridors, one view of the data.
- ``privacy``, ``export``: small-cell suppression; every export format.
- ``maps``, ``guidance``: folium maps; the guidance library.
- ``ui``: the only Streamlit module.
"""
