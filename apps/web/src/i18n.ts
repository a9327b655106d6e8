// Every word the parents' page and the admin page show, one dictionary per language. Korean and
// English are complete and kept key-for-key identical by the type checker. Text is placed in the
// DOM through `tx()`, which remembers the key, so switching the language re-translates the whole
// page without rebuilding it (a playing video keeps playing, focus stays where it was).

const en = {
  'app.name': 'Talecast',
  'app.tagline': 'Your child, the hero of a fairy tale',
  'lang.switch': '한국어',
  'lang.switchLabel': 'Switch language to Korean',
  skip: 'Skip to the steps',
  'footer.privacy': 'Photos and videos are deleted automatically after a while, and right away when you ask. We never share them.',
  loading: 'Loading…',
  retry: 'Try again',
  close: 'Close',
  cancel: 'Cancel',

  step: 'Step {n}',
  'step1.title': 'Pick a story',
  'step1.hint': 'Choose the fairy tale your child will star in.',
  'step1.empty': 'No stories are ready yet. Please come back a little later.',
  'story.duration': '{d:dur}',
  'story.children': '{n:plural:child:children}',
  'story.thumbAlt': 'Scene from “{title}”',
  'story.chosen': 'Chosen',
  'summary.photos': '{n:plural:photo:photos}',

  'step2.title': 'Add your child’s photo',
  'step2.hint': 'A clear, well-lit photo looking at the camera works best. One face per photo is easiest.',
  'step2.locked': 'Pick a story first.',
  'role.single': 'Your child',
  'role.named': 'Photo for “{role}”',
  'role.count': '{n} of {max} photos',
  'role.moreHint': 'More photos with different expressions make the video livelier.',
  'upload.choose': 'Choose a photo',
  'upload.camera': 'Take a photo',
  'upload.add': 'Add another photo',
  'upload.drop': 'or drag a photo here',
  'upload.dropActive': 'Drop the photo to add it',
  'upload.working': 'Looking at the photo…',
  'upload.full': 'This story uses up to {max} photos for each child.',
  'face.previewAlt': 'Your child’s face, ready for the story',
  'face.ok': 'Looks great!',
  'face.retake': 'Retake',
  'face.retakeLabel': 'Retake photo {n}',
  'face.remove': 'Remove',
  'face.removeLabel': 'Remove photo {n}',
  'face.expires': 'Kept until {at:date}',
  'face.several': 'We found {n} faces. We used the highlighted one — tap another face to use it instead.',
  'face.pick': 'Use face {n}',
  'face.pickUnusable': 'Face {n} (may not work)',
  'face.photoAlt': 'Your photo with the faces we found',

  'warn.SMALL_FACE': 'The face is quite small in this photo. A closer photo will look sharper.',
  'warn.TURNED': 'The face is turned a little. A photo looking straight at the camera works best.',
  'warn.ROTATED': 'The head is tilted. We straighten it for you, but an upright photo works best.',
  'warn.EYES_CLOSED': 'The eyes look closed. A photo with open eyes works best.',
  'warn.MOUTH_OPEN': 'The mouth is wide open. A closed or smiling mouth works best.',
  'warn.BLURRY': 'The photo looks a bit blurry. A sharper photo will look better.',
  'warn.DARK': 'The photo is quite dark. A photo taken in good light will look better.',
  'warn.FACE_TOO_SMALL': 'The face is too small to use. Please use a closer photo.',
  'warn.FACE_TURNED': 'The face is turned too far to the side. Please use a photo looking at the camera.',
  'warn.SUNGLASSES': 'The eyes are hidden, by sunglasses or a dark shadow. Please use a photo where both eyes are clearly visible.',
  'warn.SIDE_LIGHT': 'One side of the face is in deep shadow. A photo in even daylight, facing a window, works best.',
  'warn.RED_EYE': 'The eyes are red from the camera flash, too much to fix well. Please use a photo taken without the flash.',
  'warn.RED_EYE_FIXED': 'The camera flash made the eyes look red. We fixed that for you.',
  'warn.other': 'This photo may not give the best result.',

  'step3.title': 'Make the video',
  'step3.hint': 'It takes a little while. You can start watching as soon as the first part is ready.',
  'step3.locked': 'Add a photo first.',
  'step3.lockedRoles': 'Add a photo for every child in the story first.',
  'make.button': 'Make my video',
  'make.starting': 'Starting…',
  'render.queued': 'Waiting for our video studio…',
  'render.rendering': 'Making your video…',
  'render.parts': '{done} of {total} parts done',
  'render.done': 'Your video is ready!',
  'render.failed': 'Sorry, the video could not be made.',
  'render.expired': 'This video has expired.',
  'render.deleted': 'This video has been deleted.',
  'render.cancelled': 'This video was stopped before it was finished.',
  'render.purged': 'This video has expired.',
  'render.percent': '{p}%',
  'eta.estimating': 'Working out how long it takes…',
  'eta.seconds': 'About {n} seconds left',
  'eta.minutes': 'About {n} minutes left',
  'eta.minute': 'About a minute left',
  'eta.almost': 'Almost done…',
  'player.label': 'Your fairy-tale video',
  'player.waiting': 'The video starts here as soon as the first part is ready.',
  'player.stillRendering': 'Playing while the rest is being made.',
  'player.afterDone': 'The video will play here as soon as it is finished.',
  'player.unmute': 'Turn the sound on',
  download: 'Download the video (MP4)',
  makeAnother: 'Make another video',

  'step4.title': 'Keep or delete',
  'step4.hint': 'Your video is private. Download it to keep it for good.',
  'step4.locked': 'When your video is ready, you decide what happens to it.',
  'keep.until': 'We keep this video until {at:date}, then delete it and the photos automatically.',
  'keep.unknown': 'We delete this video and the photos automatically after a while.',
  'delete.button': 'Delete now',
  'delete.confirmTitle': 'Delete the video and photos?',
  'delete.confirmText':
    'The video and your child’s photos will be removed from our servers right away. This cannot be undone. Videos you downloaded stay on your device.',
  'delete.confirm': 'Yes, delete everything',
  'delete.working': 'Deleting…',
  'delete.done': 'Done. The video and the photos are gone from our servers.',
  'delete.partial': 'Most things were deleted, but something could not be removed. Please try again.',
  'delete.again': 'You can make a new video at any time.',

  'privacy.title': 'Privacy',
  'privacy.intro':
    'Talecast puts your child’s face into a fairy-tale video. We keep as little as we can, for as short a time as we can, and only to make your video.',
  'privacy.keptTitle': 'What we keep',
  'privacy.kept':
    'From each photo you add: your child’s face cut out of it, and measurements of the face (where the eyes and mouth are, the skin colour). The photo itself is not kept. From each video: the finished video file, and your child’s name if you give one (it is written on the title card at the start of the video). We never use photos to train anything and never share them.',
  'privacy.howLongTitle': 'How long',
  'privacy.howLong':
    'Photos: {face:retention}. Voice recordings: {recording:retention}. Videos and the child’s name on them: {video:retention} (a video that could not be made: {failed:retention}). Then they are deleted automatically, files first, with a record that they were deleted.',
  'privacy.deleteTitle': 'How to delete',
  'privacy.delete':
    'On your video’s page (its private link), press “Delete now”: the video and the photos it used are removed from our servers at once, and the link stops working. Removing a photo in step 2 deletes that photo at once.',
  'privacy.deviceTitle': 'On your device',
  'privacy.device': 'Your language, your consent and “My videos” (with your child’s name, if you gave one) are kept in this browser only.',
  'privacy.linkTitle': 'Your private link',
  'privacy.link':
    'Every video has its own link that cannot be guessed. Anyone who has the link can watch the video until it is deleted, so share it only with people you trust.',
  'privacy.back': 'Back to Talecast',
  'link.title': 'Your private link',
  'link.hint': 'Only people with this link can watch the video. Keep it to come back later on this or any device.',
  'link.copy': 'Copy link',
  'link.copied': 'Link copied.',
  'link.copyFailed': 'Could not copy. Select the link and copy it yourself.',
  'link.share': 'Share',
  'link.label': 'Private link to this video',
  'link.gone': 'This video was deleted or has expired. You can make a new one below.',
  'link.shareText': 'Our fairy-tale video',
  'mine.title': 'My videos',
  'mine.hint': 'Kept on this device only, until each video expires or is deleted.',
  'mine.item': '{title}',
  'mine.until': 'until {at:date}',
  'mine.rendering': 'being made',
  'mine.current': 'open now',
  'name.label': 'Your child’s name (optional)',
  'name.hint': 'Shown on a title card at the start of the video, and used in the download’s file name. It is deleted with the video.',
  'consent.title': 'Before you add a photo',
  'consent.kept': 'What we keep: your child’s face cut out of the photo and a few measurements of it. The photo itself is not kept.',
  'consent.howLong':
    'How long: photos for {face:retention}, voice recordings for {recording:retention}, videos for {video:retention}. Then everything is deleted automatically.',
  'consent.delete': 'How to delete: “Delete now” on the video’s page removes the video and the photos at once.',
  'consent.check': 'I am this child’s parent or guardian and I may upload their photo.',
  'consent.agree': 'Agree and continue',
  'consent.more': 'Read the privacy page',
  'footer.privacyLink': 'Privacy',
  'error.details': 'Details for support',
  'role.countHint':
    'You can add up to {max} photos of the same child. Different expressions (smiling, talking, surprised) make the face in the video livelier.',
  'preview.title': 'A first look',
  'preview.alt': 'Your child’s face on the hero in a scene of the story',
  'preview.working': 'Putting the face into the story…',
  'preview.hint': 'This is one still from the story. Not happy with it? Try another photo.',
  'story.ages': 'Ages {from}–{to}',
  'story.previewLabel': 'Preview of “{title}”',

  'error.title': 'Something went wrong',
  'error.code': 'Code: {code}',
  'error.NOT_AN_IMAGE': 'This file isn’t a photo. Please choose a JPEG, PNG, WebP or HEIC picture.',
  'error.EMPTY_FILE': 'This file is empty. Please choose another photo.',
  'error.TRUNCATED_IMAGE': 'This photo seems to be damaged or only partly copied. Please choose another one.',
  'error.IMAGE_TOO_LARGE': 'This photo has too many pixels. Please use a smaller version of it.',
  'error.UNSUPPORTED_IMAGE': 'We can’t read this type of picture. Please use a JPEG, PNG or WebP photo.',
  'error.FILE_TOO_LARGE': 'This file is too big. Please choose a smaller photo.',
  'error.NO_FACE': 'We couldn’t find a face in this photo. Please use a photo where your child’s face is clearly visible.',
  'error.FACE_TOO_SMALL': 'The face is too small in this photo. Please use a closer photo.',
  'error.FACE_TURNED': 'The face is turned too far to the side. Please use a photo looking at the camera.',
  'error.EYES_CLOSED': 'The eyes look closed. Please use a photo with open eyes.',
  'error.SUNGLASSES': 'The eyes are hidden, by sunglasses or a dark shadow. Please use a photo where both eyes are clearly visible.',
  'error.SIDE_LIGHT': 'One side of the face is in deep shadow. Please use a photo taken in even light, for example facing a window.',
  'error.RED_EYE': 'The eyes are red from the camera flash, too much to fix well. Please use a photo taken without the flash, in daylight or a well-lit room.',
  'error.FACE_INDEX_OUT_OF_RANGE': 'That face could not be chosen. Please try again.',
  'error.FACE_EXPIRED': 'A photo has expired or was deleted. Please add it again.',
  'error.FACE_MISSING': 'A photo is missing. Please add it again.',
  'error.INVALID_NAME': 'Please write the name with letters only (at most 40), without emoji or special characters.',
  'error.FACE_NOT_FOUND': 'This photo is no longer available.',
  'error.STORY_NOT_FOUND': 'This story is no longer available. Please pick another one.',
  'error.STORY_NOT_READY': 'This story isn’t ready yet. Please pick another one or try later.',
  'error.STORY_BUSY': 'This story is being updated. Please try again in a few minutes.',
  'error.RENDER_NOT_FOUND': 'This video no longer exists.',
  'error.RENDER_NOT_READY': 'The video isn’t ready yet. Please wait a moment.',
  'error.WRONG_FIELD': 'The photo could not be sent. Please reload the page and try again.',
  'error.TOO_MANY_FILES': 'Please send one photo at a time.',
  'error.BAD_REQUEST': 'Something in the request was not right. Please reload the page and try again.',
  'error.BODY_TOO_LARGE': 'The request was too big. Please reload the page and try again.',
  'error.RATE_LIMITED': 'That was a lot at once. Please wait a minute and try again.',
  'error.BUSY': 'Our video studio is very busy right now. Please try again in a few minutes.',
  'error.UNAVAILABLE': 'The service is not available right now. Please try again in a few minutes.',
  'error.INTERNAL': 'Something went wrong on our side. Please try again.',
  'error.NOT_FOUND': 'We couldn’t find that. It may have been deleted.',
  'error.UNAUTHORIZED': 'Please enter the admin token.',
  'error.FORBIDDEN': 'This token is not accepted. Please check it and enter the right admin token.',
  'error.INVALID_STORY_ID': 'The story id may only use lower-case letters, digits and dashes.',
  'error.NOT_A_VIDEO': 'This file is not a video the server can read.',
  'error.NO_VIDEO_STREAM': 'This file has no video track.',
  'error.INVALID_MASKS': 'The masks file is not valid. Check it against the masks format.',
  'error.INVALID_LINES': 'The lines file is not valid. Check it against the lines format.',
  'error.CROSS_SITE': 'This request came from another site and was refused. Please open Talecast’s own page and try again.',
  'error.REQUEST_TIMEOUT': 'The upload was too slow and was stopped. Please check your connection and try again.',
  'error.RENDER_FAILED': 'We could not make this video. Please try again, or try another photo.',
  'error.INVALID_STEM': 'A dialogue stem is not valid.',
  'error.FRAME_COUNT_MISMATCH': 'The video’s frames do not match what was expected. Please export it again.',
  'error.VIDEO_TOO_LONG': 'This video is too long for a story.',
  'error.REFERENCE_HAS_NO_FACE': 'The reference photo has no face.',
  'error.NETWORK': 'We couldn’t reach Talecast. Please check your internet connection and try again.',
  'record.title': 'Record your child’s lines',
  'record.optional': 'Optional',
  'record.hint': 'Your child can read the hero’s lines, and the hero will speak with your child’s voice. You can skip any line.',
  'record.line': 'Line {n} of {total}',
  'record.slot': 'about {s} seconds',
  'record.start': 'Record',
  'record.again': 'Record again',
  'record.skip': 'Skip this line',
  'record.remove': 'Use the story’s voice',
  'record.skipped': 'Skipped: this line keeps the story’s own voice.',
  'record.upload': 'Upload an audio file instead',
  'record.countIn': 'Get ready…',
  'record.speak': 'Read it now!',
  'record.stop': 'Stop',
  'record.working': 'Listening to the recording…',
  'record.ready': 'Ready. Listen to how it will sound in the video:',
  'record.lengths': 'Your reading: {rec} s · this line: {slot} s',
  'error.NOT_AUDIO': 'This file is not a sound recording we can play. Please record again or choose an audio file.',
  'error.EMPTY_RECORDING': 'The recording is empty. Please record again.',
  'error.ONLY_SILENCE': 'We only heard silence. Check the microphone and record again, a little closer.',
  'error.RECORDING_CLIPPED': 'The recording is too loud and crackles. Hold the phone a bit further away and record again.',
  'error.RECORDING_TOO_LONG': 'The recording is longer than 30 seconds. Please record just this line.',
  'error.READ_FASTER': 'That was a little too slow for this line. Please read it a bit faster.',
  'error.READ_SLOWER': 'That was a little too quick for this line. Please read it a bit slower.',
  'error.LINE_NOT_FOUND': 'This line is no longer in the story. Please reload the page.',
  'error.LINE_NOT_RECORDABLE': 'This line is read by the narrator and cannot be recorded.',
  'error.RECORDING_NOT_FOUND': 'A recording has expired or was deleted. Please record the line again.',
  'error.MIC_DENIED': 'We could not use the microphone. Allow it in the browser settings, or upload an audio file instead.',
  'error.NO_MICROPHONE': 'This browser cannot record here. You can upload an audio file instead.',
  'error.UNKNOWN': 'Something unexpected happened. Please try again.',
  'error.STREAM_LOST': 'We lost touch with the video studio. Still checking…',
  'error.PLAYBACK': 'The video could not be played here. You can still download it when it is ready.',

  'admin.title': 'Talecast admin',
  'admin.subtitle': 'Stories and their precompute',
  'admin.token': 'Admin token',
  'admin.signInTitle': 'Sign in to manage stories',
  'admin.tokenHint': 'Kept only in this browser tab until you close it.',
  'admin.signIn': 'Sign in',
  'admin.signOut': 'Sign out',
  'admin.needToken': 'This page needs the admin token. Please enter it to continue.',
  'admin.badToken': 'This admin token was not accepted. Please check it and enter the right token.',
  'admin.stories': 'Stories',
  'admin.refresh': 'Refresh',
  'admin.empty': 'No stories yet. Upload one below.',
  'admin.upload': 'Add a story',
  'admin.video': 'Story video',
  'admin.masks': 'Masks file (JSON)',
  'admin.storyId': 'Story id',
  'admin.storyIdHint': 'Lower-case letters, digits and dashes, e.g. brave-little-fox',
  'admin.storyTitle': 'Title',
  'admin.style': 'Style',
  'admin.style.photo': 'Photo (real footage)',
  'admin.style.toon': 'Toon (animation)',
  'admin.submit': 'Upload and precompute',
  'admin.uploading': 'Uploading… {p}%',
  'admin.accepted': 'Uploaded. Precomputing “{id}” now.',
  'admin.status.pending': 'Pending',
  'admin.status.precomputing': 'Precomputing',
  'admin.status.ready': 'Ready',
  'admin.status.failed': 'Failed',
  'admin.duration': 'Duration',
  'admin.frames': 'Frames',
  'admin.segments': 'Segments',
  'admin.roles': 'Face frames per role',
  'admin.roleFrames': '{n} of {total} frames',
  'admin.warnings': 'Warnings',
  'admin.error': 'Error',
  'admin.samples': 'Show sampled frames',
  'admin.hideSamples': 'Hide sampled frames',
  'admin.samplesTitle': 'Sampled frames with the hero boxes',
  'admin.samplesNone': 'No sampled frames.',
  'admin.samplesMissing': 'Sampled frames are not available on this server yet.',
  'admin.sampleAlt': 'Frame {frame} at {t} s',
  'admin.noBox': 'no face',
  'admin.status.unpublished': 'Unpublished',
  'admin.unpublish': 'Unpublish',
  'admin.publish': 'Publish again',
  'admin.delete': 'Delete story',
  'admin.deleteConfirm': 'Delete the story “{id}” and all its precomputed files? Videos already made stay until they expire.',
  'admin.deleted': '“{id}” was deleted.',
  'admin.published': '“{id}” is shown to parents again.',
  'admin.unpublished': '“{id}” is hidden from parents.',
  'admin.masksFormat': 'The masks file format, with an example',
  'admin.masksFormatHint':
    'Times in seconds; boxes [x0, y0, x1, y1] from 0 to 1 of the frame; a region says where a role’s face is; an occluder is a polygon drawn in front of the face; meta (titles, description, ages) is optional.',
  'admin.masksInvalid': 'This masks file has problems. Nothing was uploaded:',
  'admin.lines': 'Lines file (JSON, optional)',
  'admin.linesHint':
    'The story’s spoken lines, for the child’s voice. With it, a dialogue stem per role (that role’s voice alone, as long as the video) lets the child’s line replace the role’s voice exactly; without one, the story is ducked under the child.',
  'admin.linesFormat': 'The lines file format, with an example',
  'admin.linesFormatHint':
    'Times in seconds on the story’s timeline; ids of a-z, 0-9 and dashes; a role from the masks file, or narrator (never recorded); text per language, with the default language; stems name each role’s stem, uploaded here as that role’s stem file.',
  'admin.linesInvalid': 'This lines file has problems. Nothing was uploaded:',
  'admin.stem': 'Dialogue stem of “{role}” (audio, optional)',
  'admin.stemInvalid': 'This stem has problems. Nothing was uploaded:',
  'admin.readyNote': '“{id}” is ready and published.',
  'admin.failedNote': 'The precompute of “{id}” failed. See the story below.',
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const ko: Dictionary = {
  'app.name': 'Talecast',
  'app.tagline': '우리 아이가 주인공이 되는 동화',
  'lang.switch': 'English',
  'lang.switchLabel': '영어로 바꾸기',
  skip: '단계로 건너뛰기',
  'footer.privacy': '사진과 영상은 일정 기간이 지나면 자동으로 삭제되며, 요청하시면 바로 삭제됩니다. 다른 곳에 공유하지 않습니다.',
  loading: '불러오는 중…',
  retry: '다시 시도',
  close: '닫기',
  cancel: '취소',

  step: '{n}단계',
  'step1.title': '동화 고르기',
  'step1.hint': '아이가 주인공이 될 동화를 골라 주세요.',
  'step1.empty': '아직 준비된 동화가 없어요. 잠시 후에 다시 와 주세요.',
  'story.duration': '{d:dur}',
  'story.children': '{n:plural:아이 #명:아이 #명}',
  'story.thumbAlt': '“{title}”의 한 장면',
  'story.chosen': '선택됨',
  'summary.photos': '사진 {n}장',

  'step2.title': '아이 사진 올리기',
  'step2.hint': '카메라를 바라보는 밝고 선명한 사진이 가장 좋아요. 사진 한 장에 얼굴 하나가 가장 쉬워요.',
  'step2.locked': '먼저 동화를 골라 주세요.',
  'role.single': '우리 아이',
  'role.named': '“{role}” 역할 사진',
  'role.count': '사진 {n}/{max}장',
  'role.moreHint': '표정이 다른 사진을 더 올리면 영상이 더 생생해져요.',
  'upload.choose': '사진 고르기',
  'upload.camera': '사진 찍기',
  'upload.add': '사진 더 올리기',
  'upload.drop': '또는 사진을 여기로 끌어다 놓으세요',
  'upload.dropActive': '여기에 놓으면 사진이 올라가요',
  'upload.working': '사진을 살펴보는 중…',
  'upload.full': '이 동화는 아이 한 명당 사진을 {max}장까지 쓸 수 있어요.',
  'face.previewAlt': '동화에 쓸 아이 얼굴',
  'face.ok': '아주 좋아요!',
  'face.retake': '다시 올리기',
  'face.retakeLabel': '{n}번째 사진 다시 올리기',
  'face.remove': '지우기',
  'face.removeLabel': '{n}번째 사진 지우기',
  'face.expires': '{at:date}까지 보관',
  'face.several': '얼굴을 {n}개 찾았어요. 표시된 얼굴을 사용했어요. 다른 얼굴을 쓰려면 눌러 주세요.',
  'face.pick': '{n}번 얼굴 사용',
  'face.pickUnusable': '{n}번 얼굴 (잘 안 될 수 있음)',
  'face.photoAlt': '찾은 얼굴이 표시된 사진',

  'warn.SMALL_FACE': '사진 속 얼굴이 조금 작아요. 더 가까이서 찍은 사진이 더 선명해요.',
  'warn.TURNED': '얼굴이 살짝 옆을 보고 있어요. 카메라를 정면으로 보는 사진이 가장 좋아요.',
  'warn.ROTATED': '고개가 기울어져 있어요. 자동으로 바로잡지만, 똑바른 사진이 가장 좋아요.',
  'warn.EYES_CLOSED': '눈을 감은 것 같아요. 눈을 뜬 사진이 가장 좋아요.',
  'warn.MOUTH_OPEN': '입을 크게 벌리고 있어요. 입을 다물거나 웃는 사진이 가장 좋아요.',
  'warn.BLURRY': '사진이 조금 흐려요. 선명한 사진이 더 예쁘게 나와요.',
  'warn.DARK': '사진이 어두워요. 밝은 곳에서 찍은 사진이 더 예쁘게 나와요.',
  'warn.FACE_TOO_SMALL': '얼굴이 너무 작아서 쓸 수 없어요. 더 가까이서 찍은 사진을 써 주세요.',
  'warn.FACE_TURNED': '얼굴이 옆으로 너무 돌아가 있어요. 카메라를 보는 사진을 써 주세요.',
  'warn.SUNGLASSES': '선글라스나 짙은 그림자 때문에 눈이 가려져 있어요. 두 눈이 잘 보이는 사진을 써 주세요.',
  'warn.SIDE_LIGHT': '얼굴 한쪽이 그림자로 어두워요. 창문을 바라보는 밝고 고른 빛에서 찍은 사진이 가장 좋아요.',
  'warn.RED_EYE': '카메라 플래시 때문에 눈이 너무 빨갛게 나와서 자연스럽게 고칠 수 없어요. 플래시 없이 찍은 사진을 써 주세요.',
  'warn.RED_EYE_FIXED': '카메라 플래시 때문에 눈동자가 빨갛게 나와서 자연스럽게 고쳤어요.',
  'warn.other': '이 사진으로는 결과가 덜 좋을 수 있어요.',

  'step3.title': '영상 만들기',
  'step3.hint': '조금 시간이 걸려요. 첫 부분이 준비되면 바로 보기 시작할 수 있어요.',
  'step3.locked': '먼저 사진을 올려 주세요.',
  'step3.lockedRoles': '동화에 나오는 아이마다 사진을 올려 주세요.',
  'make.button': '영상 만들기',
  'make.starting': '시작하는 중…',
  'render.queued': '영상 스튜디오를 기다리는 중…',
  'render.rendering': '영상을 만드는 중…',
  'render.parts': '{total}개 중 {done}개 완료',
  'render.done': '영상이 완성되었어요!',
  'render.failed': '죄송해요, 영상을 만들지 못했어요.',
  'render.expired': '보관 기간이 지난 영상이에요.',
  'render.deleted': '삭제된 영상이에요.',
  'render.cancelled': '완성되기 전에 중단된 영상이에요.',
  'render.purged': '보관 기간이 지난 영상이에요.',
  'render.percent': '{p}%',
  'eta.estimating': '남은 시간을 계산하는 중…',
  'eta.seconds': '약 {n}초 남음',
  'eta.minutes': '약 {n}분 남음',
  'eta.minute': '약 1분 남음',
  'eta.almost': '거의 다 됐어요…',
  'player.label': '동화 영상',
  'player.waiting': '첫 부분이 준비되면 여기에서 영상이 시작돼요.',
  'player.stillRendering': '나머지를 만드는 동안 재생 중이에요.',
  'player.afterDone': '영상이 완성되면 바로 여기에서 재생돼요.',
  'player.unmute': '소리 켜기',
  download: '영상 내려받기 (MP4)',
  makeAnother: '다른 영상 만들기',

  'step4.title': '보관 또는 삭제',
  'step4.hint': '영상은 비공개예요. 계속 간직하려면 내려받아 두세요.',
  'step4.locked': '영상이 완성되면 보관할지 삭제할지 정할 수 있어요.',
  'keep.until': '이 영상은 {at:date}까지 보관한 뒤 사진과 함께 자동으로 삭제돼요.',
  'keep.unknown': '이 영상과 사진은 일정 기간이 지나면 자동으로 삭제돼요.',
  'delete.button': '지금 삭제',
  'delete.confirmTitle': '영상과 사진을 삭제할까요?',
  'delete.confirmText': '영상과 아이 사진이 서버에서 바로 삭제되며 되돌릴 수 없어요. 이미 내려받은 영상은 기기에 그대로 남아요.',
  'delete.confirm': '네, 모두 삭제할게요',
  'delete.working': '삭제하는 중…',
  'delete.done': '완료! 영상과 사진이 서버에서 모두 삭제되었어요.',
  'delete.partial': '대부분 삭제했지만 일부를 지우지 못했어요. 다시 시도해 주세요.',
  'delete.again': '언제든지 새 영상을 만들 수 있어요.',

  'privacy.title': '개인정보 안내',
  'privacy.intro': 'Talecast는 아이 얼굴을 동화 영상 속에 넣어 드려요. 영상을 만드는 데 필요한 것만, 가능한 한 짧게 보관해요.',
  'privacy.keptTitle': '보관하는 것',
  'privacy.kept':
    '올린 사진마다: 사진에서 잘라 낸 아이 얼굴과 얼굴 측정값(눈과 입의 위치, 피부색)이에요. 사진 원본은 보관하지 않아요. 영상마다: 완성된 영상 파일과, 입력한 경우 아이 이름(영상 첫머리의 제목 카드에 쓰여요)이에요. 사진을 학습에 쓰거나 다른 곳에 공유하지 않아요.',
  'privacy.howLongTitle': '보관 기간',
  'privacy.howLong':
    '사진: {face:retention}. 목소리 녹음: {recording:retention}. 영상과 영상 속 아이 이름: {video:retention}(만들지 못한 영상은 {failed:retention}). 그 뒤에는 자동으로 삭제되며, 삭제했다는 기록만 남아요.',
  'privacy.deleteTitle': '삭제 방법',
  'privacy.delete':
    '영상 페이지(비공개 링크)에서 “지금 삭제”를 누르면 영상과 사용한 사진이 서버에서 바로 지워지고 링크도 더 이상 열리지 않아요. 2단계에서 사진을 빼면 그 사진도 바로 지워져요.',
  'privacy.deviceTitle': '이 기기에 저장되는 것',
  'privacy.device': '언어 설정, 동의 여부, “내 영상” 목록(입력한 경우 아이 이름 포함)은 이 브라우저에만 저장돼요.',
  'privacy.linkTitle': '비공개 링크',
  'privacy.link': '영상마다 추측할 수 없는 링크가 따로 있어요. 링크가 있으면 누구나 영상이 삭제될 때까지 볼 수 있으니 믿을 수 있는 사람에게만 보내 주세요.',
  'privacy.back': 'Talecast로 돌아가기',
  'link.title': '비공개 링크',
  'link.hint': '이 링크가 있는 사람만 영상을 볼 수 있어요. 링크를 간직하면 나중에 어느 기기에서든 다시 볼 수 있어요.',
  'link.copy': '링크 복사',
  'link.copied': '링크를 복사했어요.',
  'link.copyFailed': '복사하지 못했어요. 링크를 선택해서 직접 복사해 주세요.',
  'link.share': '공유',
  'link.label': '이 영상의 비공개 링크',
  'link.gone': '이 영상은 삭제되었거나 보관 기간이 지났어요. 아래에서 새 영상을 만들 수 있어요.',
  'link.shareText': '우리 아이 동화 영상',
  'mine.title': '내 영상',
  'mine.hint': '이 기기에만 저장되며, 영상이 만료되거나 삭제되면 목록에서도 사라져요.',
  'mine.item': '{title}',
  'mine.until': '{at:date}까지',
  'mine.rendering': '만드는 중',
  'mine.current': '지금 보는 영상',
  'name.label': '아이 이름 (선택)',
  'name.hint': '영상 첫머리의 제목 카드와 내려받는 파일 이름에 쓰여요. 영상을 지우면 함께 지워져요.',
  'consent.title': '사진을 올리기 전에',
  'consent.kept': '보관하는 것: 사진에서 잘라 낸 아이 얼굴과 얼굴의 몇 가지 측정값이에요. 사진 원본은 보관하지 않아요.',
  'consent.howLong': '보관 기간: 사진은 {face:retention}, 목소리 녹음은 {recording:retention}, 영상은 {video:retention} 동안 보관한 뒤 모두 자동으로 삭제돼요.',
  'consent.delete': '삭제 방법: 영상 페이지의 “지금 삭제”를 누르면 영상과 사진이 바로 지워져요.',
  'consent.check': '저는 이 아이의 부모 또는 보호자이며, 아이의 사진을 올릴 수 있어요.',
  'consent.agree': '동의하고 계속하기',
  'consent.more': '개인정보 안내 보기',
  'footer.privacyLink': '개인정보 안내',
  'error.details': '고객 지원용 자세한 정보',
  'role.countHint': '같은 아이의 사진을 최대 {max}장까지 올릴 수 있어요. 웃는 얼굴, 말하는 얼굴, 놀란 얼굴처럼 표정이 다양하면 영상 속 얼굴이 더 생생해져요.',
  'preview.title': '미리 보기',
  'preview.alt': '동화 속 주인공 얼굴에 들어간 아이 얼굴',
  'preview.working': '동화 속에 얼굴을 넣는 중…',
  'preview.hint': '동화의 한 장면이에요. 마음에 들지 않으면 다른 사진을 써 보세요.',
  'story.ages': '{from}–{to}세',
  'story.previewLabel': '“{title}” 미리 보기',

  'error.title': '문제가 생겼어요',
  'error.code': '코드: {code}',
  'error.NOT_AN_IMAGE': '사진 파일이 아니에요. JPEG, PNG, WebP, HEIC 사진을 골라 주세요.',
  'error.EMPTY_FILE': '빈 파일이에요. 다른 사진을 골라 주세요.',
  'error.TRUNCATED_IMAGE': '사진이 손상되었거나 일부만 복사된 것 같아요. 다른 사진을 골라 주세요.',
  'error.IMAGE_TOO_LARGE': '사진의 해상도가 너무 커요. 더 작은 크기의 사진을 써 주세요.',
  'error.UNSUPPORTED_IMAGE': '이 형식의 사진은 읽을 수 없어요. JPEG, PNG, WebP 사진을 써 주세요.',
  'error.FILE_TOO_LARGE': '파일이 너무 커요. 더 작은 사진을 골라 주세요.',
  'error.NO_FACE': '사진에서 얼굴을 찾지 못했어요. 아이 얼굴이 잘 보이는 사진을 써 주세요.',
  'error.FACE_TOO_SMALL': '사진 속 얼굴이 너무 작아요. 더 가까이서 찍은 사진을 써 주세요.',
  'error.FACE_TURNED': '얼굴이 옆으로 너무 돌아가 있어요. 카메라를 보는 사진을 써 주세요.',
  'error.EYES_CLOSED': '눈을 감은 것 같아요. 눈을 뜬 사진을 써 주세요.',
  'error.SUNGLASSES': '선글라스나 짙은 그림자 때문에 눈이 가려져 있어요. 두 눈이 잘 보이는 사진을 써 주세요.',
  'error.SIDE_LIGHT': '얼굴 한쪽이 그림자로 너무 어두워요. 창문을 바라보는 등 고른 빛에서 찍은 사진을 써 주세요.',
  'error.RED_EYE': '카메라 플래시 때문에 눈이 너무 빨갛게 나와서 자연스럽게 고칠 수 없어요. 플래시 없이 밝은 곳에서 찍은 사진을 써 주세요.',
  'error.FACE_INDEX_OUT_OF_RANGE': '그 얼굴을 고를 수 없었어요. 다시 시도해 주세요.',
  'error.FACE_EXPIRED': '사진의 보관 기간이 지났거나 삭제되었어요. 사진을 다시 올려 주세요.',
  'error.FACE_MISSING': '사진을 찾을 수 없어요. 사진을 다시 올려 주세요.',
  'error.INVALID_NAME': '이름은 글자로만 40자까지 써 주세요. 이모지나 특수 문자는 쓸 수 없어요.',
  'error.FACE_NOT_FOUND': '이 사진은 더 이상 없어요.',
  'error.STORY_NOT_FOUND': '이 동화는 더 이상 없어요. 다른 동화를 골라 주세요.',
  'error.STORY_NOT_READY': '이 동화는 아직 준비 중이에요. 다른 동화를 고르거나 나중에 다시 시도해 주세요.',
  'error.STORY_BUSY': '이 동화를 업데이트하는 중이에요. 몇 분 뒤에 다시 시도해 주세요.',
  'error.RENDER_NOT_FOUND': '이 영상은 더 이상 없어요.',
  'error.RENDER_NOT_READY': '영상이 아직 준비되지 않았어요. 잠시만 기다려 주세요.',
  'error.WRONG_FIELD': '사진을 보내지 못했어요. 페이지를 새로 고친 뒤 다시 시도해 주세요.',
  'error.TOO_MANY_FILES': '사진은 한 번에 한 장씩 보내 주세요.',
  'error.BAD_REQUEST': '요청에 문제가 있었어요. 페이지를 새로 고친 뒤 다시 시도해 주세요.',
  'error.BODY_TOO_LARGE': '요청이 너무 커요. 페이지를 새로 고친 뒤 다시 시도해 주세요.',
  'error.RATE_LIMITED': '요청이 너무 많았어요. 1분쯤 뒤에 다시 시도해 주세요.',
  'error.BUSY': '지금 영상 스튜디오가 매우 바빠요. 몇 분 뒤에 다시 시도해 주세요.',
  'error.UNAVAILABLE': '지금은 서비스를 이용할 수 없어요. 몇 분 뒤에 다시 시도해 주세요.',
  'error.INTERNAL': '저희 쪽에 문제가 생겼어요. 다시 시도해 주세요.',
  'error.NOT_FOUND': '찾을 수 없어요. 삭제되었을 수 있어요.',
  'error.UNAUTHORIZED': '관리자 토큰을 입력해 주세요.',
  'error.FORBIDDEN': '받아들여지지 않는 토큰이에요. 올바른 관리자 토큰을 확인해 입력해 주세요.',
  'error.INVALID_STORY_ID': '동화 ID에는 영문 소문자, 숫자, 대시만 쓸 수 있어요.',
  'error.NOT_A_VIDEO': '서버가 읽을 수 있는 영상 파일이 아니에요.',
  'error.NO_VIDEO_STREAM': '이 파일에는 영상 트랙이 없어요.',
  'error.INVALID_MASKS': '마스크 파일이 올바르지 않아요. 마스크 형식을 확인해 주세요.',
  'error.INVALID_LINES': '대사 파일이 올바르지 않아요. 대사 형식을 확인해 주세요.',
  'error.CROSS_SITE': '다른 사이트에서 온 요청이라 받지 않았어요. Talecast 페이지에서 다시 시도해 주세요.',
  'error.REQUEST_TIMEOUT': '업로드가 너무 느려서 멈췄어요. 인터넷 연결을 확인하고 다시 시도해 주세요.',
  'error.RENDER_FAILED': '영상을 만들지 못했어요. 다시 시도하거나 다른 사진을 써 주세요.',
  'error.INVALID_STEM': '대사 스템이 올바르지 않아요.',
  'error.FRAME_COUNT_MISMATCH': '영상의 프레임이 예상과 달라요. 다시 내보내 주세요.',
  'error.VIDEO_TOO_LONG': '동화로 쓰기에는 영상이 너무 길어요.',
  'error.REFERENCE_HAS_NO_FACE': '참고 사진에 얼굴이 없어요.',
  'error.NETWORK': 'Talecast에 연결할 수 없어요. 인터넷 연결을 확인하고 다시 시도해 주세요.',
  'record.title': '아이 목소리로 대사 녹음하기',
  'record.optional': '선택 사항',
  'record.hint': '아이가 주인공의 대사를 읽으면, 영상 속 주인공이 아이 목소리로 말해요. 어떤 대사든 건너뛸 수 있어요.',
  'record.line': '대사 {n} / {total}',
  'record.slot': '약 {s}초',
  'record.start': '녹음하기',
  'record.again': '다시 녹음하기',
  'record.skip': '이 대사 건너뛰기',
  'record.remove': '원래 목소리 쓰기',
  'record.skipped': '건너뛰었어요: 이 대사는 원래 목소리로 나와요.',
  'record.upload': '대신 오디오 파일 올리기',
  'record.countIn': '준비하세요…',
  'record.speak': '지금 읽어요!',
  'record.stop': '멈추기',
  'record.working': '녹음을 듣고 있어요…',
  'record.ready': '준비됐어요. 영상에서 어떻게 들릴지 들어 보세요:',
  'record.lengths': '읽은 길이: {rec}초 · 이 대사: {slot}초',
  'error.NOT_AUDIO': '재생할 수 있는 녹음 파일이 아니에요. 다시 녹음하거나 오디오 파일을 골라 주세요.',
  'error.EMPTY_RECORDING': '녹음이 비어 있어요. 다시 녹음해 주세요.',
  'error.ONLY_SILENCE': '아무 소리도 들리지 않았어요. 마이크를 확인하고 조금 더 가까이에서 다시 녹음해 주세요.',
  'error.RECORDING_CLIPPED': '소리가 너무 커서 찢어져요. 휴대폰을 조금 멀리 두고 다시 녹음해 주세요.',
  'error.RECORDING_TOO_LONG': '녹음이 30초보다 길어요. 이 대사만 녹음해 주세요.',
  'error.READ_FASTER': '이 대사에는 조금 느렸어요. 조금 더 빨리 읽어 주세요.',
  'error.READ_SLOWER': '이 대사에는 조금 빨랐어요. 조금 더 천천히 읽어 주세요.',
  'error.LINE_NOT_FOUND': '이 대사가 더 이상 이야기에 없어요. 페이지를 새로 고쳐 주세요.',
  'error.LINE_NOT_RECORDABLE': '이 대사는 해설자가 읽어서 녹음할 수 없어요.',
  'error.RECORDING_NOT_FOUND': '녹음이 만료되었거나 삭제되었어요. 대사를 다시 녹음해 주세요.',
  'error.MIC_DENIED': '마이크를 쓸 수 없었어요. 브라우저 설정에서 허용하거나 오디오 파일을 올려 주세요.',
  'error.NO_MICROPHONE': '이 브라우저에서는 녹음할 수 없어요. 대신 오디오 파일을 올릴 수 있어요.',
  'error.UNKNOWN': '예상하지 못한 문제가 생겼어요. 다시 시도해 주세요.',
  'error.STREAM_LOST': '영상 스튜디오와 연결이 끊겼어요. 계속 확인하는 중…',
  'error.PLAYBACK': '여기에서는 영상을 재생할 수 없어요. 완성되면 내려받을 수 있어요.',

  'admin.title': 'Talecast 관리자',
  'admin.subtitle': '동화와 사전 계산',
  'admin.token': '관리자 토큰',
  'admin.signInTitle': '동화를 관리하려면 로그인하세요',
  'admin.tokenHint': '이 브라우저 탭을 닫을 때까지만 보관돼요.',
  'admin.signIn': '로그인',
  'admin.signOut': '로그아웃',
  'admin.needToken': '이 페이지는 관리자 토큰이 필요해요. 토큰을 입력해 주세요.',
  'admin.badToken': '받아들여지지 않는 관리자 토큰이에요. 올바른 토큰을 확인해 입력해 주세요.',
  'admin.stories': '동화 목록',
  'admin.refresh': '새로 고침',
  'admin.empty': '아직 동화가 없어요. 아래에서 올려 주세요.',
  'admin.upload': '동화 추가',
  'admin.video': '동화 영상',
  'admin.masks': '마스크 파일 (JSON)',
  'admin.storyId': '동화 ID',
  'admin.storyIdHint': '영문 소문자, 숫자, 대시만 (예: brave-little-fox)',
  'admin.storyTitle': '제목',
  'admin.style': '스타일',
  'admin.style.photo': '실사 (photo)',
  'admin.style.toon': '애니메이션 (toon)',
  'admin.submit': '올리고 사전 계산하기',
  'admin.uploading': '올리는 중… {p}%',
  'admin.accepted': '올렸어요. 지금 “{id}”을(를) 사전 계산하고 있어요.',
  'admin.status.pending': '대기',
  'admin.status.precomputing': '사전 계산 중',
  'admin.status.ready': '준비됨',
  'admin.status.failed': '실패',
  'admin.duration': '길이',
  'admin.frames': '프레임',
  'admin.segments': '세그먼트',
  'admin.roles': '역할별 얼굴 프레임',
  'admin.roleFrames': '{total}개 중 {n}개 프레임',
  'admin.warnings': '경고',
  'admin.error': '오류',
  'admin.samples': '샘플 프레임 보기',
  'admin.hideSamples': '샘플 프레임 숨기기',
  'admin.samplesTitle': '주인공 상자가 표시된 샘플 프레임',
  'admin.samplesNone': '샘플 프레임이 없어요.',
  'admin.samplesMissing': '이 서버에서는 아직 샘플 프레임을 볼 수 없어요.',
  'admin.sampleAlt': '{t}초의 {frame}번 프레임',
  'admin.noBox': '얼굴 없음',
  'admin.status.unpublished': '비공개',
  'admin.unpublish': '비공개로 전환',
  'admin.publish': '다시 공개',
  'admin.delete': '동화 삭제',
  'admin.deleteConfirm': '“{id}” 동화와 사전 계산 파일을 모두 삭제할까요? 이미 만든 영상은 만료될 때까지 남아요.',
  'admin.deleted': '“{id}”을(를) 삭제했어요.',
  'admin.published': '“{id}”을(를) 다시 공개했어요.',
  'admin.unpublished': '“{id}”을(를) 비공개로 전환했어요.',
  'admin.masksFormat': '마스크 파일 형식과 예시',
  'admin.masksFormatHint':
    '시간은 초 단위, 상자 [x0, y0, x1, y1]는 화면의 0~1 비율이에요. region은 역할의 얼굴이 있는 곳, occluder는 얼굴 앞을 가리는 다각형이에요. meta(제목, 설명, 나이)는 선택이에요.',
  'admin.masksInvalid': '마스크 파일에 문제가 있어요. 아무것도 올리지 않았어요:',
  'admin.lines': '대사 파일 (JSON, 선택)',
  'admin.linesHint':
    '아이 목소리를 넣을 동화의 대사예요. 역할마다 대사 스템(그 역할의 목소리만 담긴, 영상 길이의 오디오)이 있으면 아이의 대사가 그 목소리를 정확히 대신하고, 없으면 아이 목소리 아래로 동화 소리를 줄여요.',
  'admin.linesFormat': '대사 파일 형식과 예시',
  'admin.linesFormatHint':
    '시간은 동화 시간축의 초 단위, id는 a-z, 0-9, 대시, 역할은 마스크 파일의 역할 또는 narrator(녹음하지 않음), 텍스트는 언어별로 기본 언어를 포함해요. stems에 적은 역할의 스템 파일은 여기서 그 역할의 스템으로 올려요.',
  'admin.linesInvalid': '대사 파일에 문제가 있어요. 아무것도 올리지 않았어요:',
  'admin.stem': '“{role}” 대사 스템 (오디오, 선택)',
  'admin.stemInvalid': '스템에 문제가 있어요. 아무것도 올리지 않았어요:',
  'admin.readyNote': '“{id}” 준비가 끝나 공개되었어요.',
  'admin.failedNote': '“{id}” 사전 계산에 실패했어요. 아래 동화를 확인해 주세요.',
};

export type Lang = 'en' | 'ko';
const dictionaries: Record<Lang, Dictionary> = { en, ko };
const STORAGE_KEY = 'talecast.lang';

export type Vars = Record<string, string | number>;

let current: Lang = detectLanguage();
const listeners = new Set<(lang: Lang) => void>();

function detectLanguage(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'ko') return saved;
  } catch {
    // storage blocked (private mode): fall through to the browser's language
  }
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const p of prefs) {
    const base = (p ?? '').toLowerCase().split('-')[0];
    if (base === 'ko') return 'ko';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function lang(): Lang {
  return current;
}

export function hasKey(key: string): key is MessageKey {
  return key in en;
}

/**
 * Translates a key. Placeholders: `{name}`; `{name:date}` (an ISO time, formatted for the
 * language); `{name:dur}` (seconds as m:ss or "N s"); `{name:retention}` (seconds as days, hours or
 * minutes: "7 days", "24시간"; "…" until known); `{name:plural:one:other}` (`#` = the number).
 */
export function t(key: MessageKey, vars: Vars = {}): string {
  const template = dictionaries[current][key] ?? en[key];
  return template.replace(/\{(\w+)(?::(\w+)((?::[^:}]*)*))?\}/g, (_m, name: string, kind?: string, rest?: string) => {
    const v = vars[name];
    if (v === undefined) return kind === 'retention' ? '…' : '';
    if (kind === 'date') return formatDate(String(v));
    if (kind === 'retention') return formatRetention(Number(v));
    if (kind === 'dur') return formatDuration(Number(v));
    if (kind === 'plural') {
      const [one, other] = (rest ?? '').slice(1).split(':');
      const n = Number(v);
      const form = n === 1 ? one : (other ?? one);
      return form.includes('#') ? form.replace('#', String(n)) : `${n} ${form}`;
    }
    return String(v);
  });
}

export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/**
 * A retention period in words: whole days from 2 days up ("7 days", "7일"), else whole hours
 * ("24 hours", "1시간"), else minutes ("90 minutes").
 */
export function formatRetention(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '…';
  const ko = current === 'ko';
  if (seconds >= 2 * 86400 && seconds % 86400 === 0) return ko ? `${seconds / 86400}일` : `${seconds / 86400} days`;
  if (seconds >= 3600 && seconds % 3600 === 0) {
    const h = seconds / 3600;
    return ko ? `${h}시간` : `${h} hour${h === 1 ? '' : 's'}`;
  }
  const m = Math.max(1, Math.round(seconds / 60));
  return ko ? `${m}분` : `${m} minute${m === 1 ? '' : 's'}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 60) return current === 'ko' ? `${s}초` : `${s} sec`;
  const m = Math.floor(s / 60);
  const r = s % 60;
  if (current === 'ko') return r ? `${m}분 ${r}초` : `${m}분`;
  return `${m}:${String(r).padStart(2, '0')} min`;
}

/** Sets an element's text from a key and remembers the key so a language switch updates it. */
export function tx<E extends Element>(el: E, key: MessageKey, vars?: Vars): E {
  const h = el as unknown as HTMLElement;
  h.dataset.i18n = key;
  if (vars) h.dataset.i18nVars = JSON.stringify(vars);
  else delete h.dataset.i18nVars;
  el.textContent = t(key, vars);
  return el;
}

/** Same for an attribute (aria-label, alt, title, placeholder). */
export function tattr<E extends Element>(el: E, attr: string, key: MessageKey, vars?: Vars): E {
  const h = el as unknown as HTMLElement;
  const spec = JSON.parse(h.dataset.i18nAttrs ?? '{}') as Record<string, [MessageKey, Vars | undefined]>;
  spec[attr] = [key, vars];
  h.dataset.i18nAttrs = JSON.stringify(spec);
  el.setAttribute(attr, t(key, vars));
  return el;
}

/** Re-translates every element below `root` that was filled by `tx()`/`tattr()` or `data-i18n` in HTML. */
export function translateTree(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    const key = el.dataset.i18n ?? '';
    if (!hasKey(key)) return;
    const vars = el.dataset.i18nVars ? (JSON.parse(el.dataset.i18nVars) as Vars) : undefined;
    el.textContent = t(key, vars);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-attrs]').forEach((el) => {
    const spec = JSON.parse(el.dataset.i18nAttrs ?? '{}') as Record<string, [string, Vars | undefined]>;
    for (const [attr, [key, vars]] of Object.entries(spec)) if (hasKey(key)) el.setAttribute(attr, t(key, vars));
  });
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered; still switched for this visit
  }
  document.documentElement.lang = next;
  translateTree();
  for (const l of listeners) l(next);
}

export function onLangChange(fn: (lang: Lang) => void): void {
  listeners.add(fn);
}

/** Wires the visible language toggle button (its text names the other language). */
export function setupLanguageToggle(button: HTMLButtonElement): void {
  const sync = () => {
    document.documentElement.lang = current;
    button.lang = current === 'en' ? 'ko' : 'en'; // the button names the other language in that language
  };
  sync();
  translateTree(); // the HTML is written in English; translate it to the chosen language at once
  tx(button, 'lang.switch');
  tattr(button, 'title', 'lang.switchLabel');
  button.addEventListener('click', () => {
    setLang(current === 'en' ? 'ko' : 'en');
    sync();
  });
}
