; Included by electron-builder's NSIS script (build/electron-builder.json, nsis.include).
; The installer is per-machine (perMachine: true), so SHCTX is HKLM: Ringside is registered for every
; user as a handler of tel: and callto: links and listed under Settings > Apps > Default apps, where
; a user (or IT, by policy) makes it the default. At run time the app also claims the schemes for
; the current user (app.setAsDefaultProtocolClient).

!macro customInstall
  WriteRegStr SHCTX "Software\Classes\Ringside.tel" "" "URL:Telephone number (Ringside)"
  WriteRegStr SHCTX "Software\Classes\Ringside.tel" "URL Protocol" ""
  WriteRegStr SHCTX "Software\Classes\Ringside.tel\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr SHCTX "Software\Classes\Ringside.tel\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
  WriteRegStr SHCTX "Software\Ringside\Capabilities" "ApplicationName" "Ringside"
  WriteRegStr SHCTX "Software\Ringside\Capabilities" "ApplicationDescription" "Dials phone numbers through your Grandstream desk phone"
  WriteRegStr SHCTX "Software\Ringside\Capabilities\URLAssociations" "tel" "Ringside.tel"
  WriteRegStr SHCTX "Software\Ringside\Capabilities\URLAssociations" "callto" "Ringside.tel"
  WriteRegStr SHCTX "Software\RegisteredApplications" "Ringside" "Software\Ringside\Capabilities"
!macroend

!macro customUnInstall
  DeleteRegKey SHCTX "Software\Classes\Ringside.tel"
  DeleteRegKey SHCTX "Software\Ringside\Capabilities"
  DeleteRegKey /ifempty SHCTX "Software\Ringside"
  DeleteRegValue SHCTX "Software\RegisteredApplications" "Ringside"
!macroend
